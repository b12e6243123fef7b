"""Where things live in the repository: its root, and the paths its `[tool.ytc-release]`
table (ytc_release/project.py) names."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ytc_release import project as project_table
from ytc_release.errors import RepositoryLayoutError
from ytc_release.project import Project


def find_repo_root(start: Path | None = None, *, root: str | None = None) -> Path:
    """``root`` (YTC_REPO_ROOT, from the settings), else the nearest folder above ``start`` (cwd)
    whose pyproject.toml has a [tool.ytc-release] table."""
    if root:
        found = Path(root).resolve()
        if project_table.read_table(found) is None:
            raise RepositoryLayoutError(
                f"YTC_REPO_ROOT={root} has no pyproject.toml with a [tool.ytc-release] table",
                f"point YTC_REPO_ROOT at your repository's root, or run `ytc-release init` in {found}",
            )
        return found
    here = (start or Path.cwd()).resolve()
    found = project_table.find_root(here)
    if found is None:
        raise RepositoryLayoutError(
            f"no pyproject.toml with a [tool.ytc-release] table at or above {here}",
            "run `ytc-release init` at your repository's root (it finds the library and the services "
            "and writes the table), or set YTC_REPO_ROOT",
        )
    return found


@dataclass(frozen=True)
class Layout:
    root: Path
    index_dir: Path | None = None  # YTC_INDEX_HOME, from the settings; default: the table's index-home
    given: Project | None = field(default=None, compare=False)  # a table already read (tests, init)

    @cached_property
    def project(self) -> Project:
        return self.given or project_table.load(self.root)

    @property
    def library(self) -> Path:
        return self.root / self.project.library

    @property
    def version_file(self) -> Path:
        return self.root / self.project.version_file

    @property
    def changelog(self) -> Path | None:
        return self.root / self.project.changelog if self.project.changelog else None

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def index_home(self) -> Path:
        return (self.index_dir or self.root / self.project.index_home).resolve()
