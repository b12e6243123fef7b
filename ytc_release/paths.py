"""Where things live in the repository."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ytc_release.errors import RepositoryLayoutError

DIST_NAME = "ytcaption-common"
IMPORT_NAME = "ytcaption_common"


def find_repo_root(start: Path | None = None, *, root: str | None = None) -> Path:
    """``root`` (YTC_REPO_ROOT, from the settings), else the nearest folder above ``start`` (cwd)
    holding common/pyproject.toml."""
    if root:
        found = Path(root).resolve()
        if not (found / "common" / "pyproject.toml").is_file():
            raise RepositoryLayoutError(f"YTC_REPO_ROOT={root} has no common/pyproject.toml")
        return found
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "common" / "pyproject.toml").is_file():
            return candidate
    raise RepositoryLayoutError(f"no ytcaption repository (common/pyproject.toml) found at or above {here}")


@dataclass(frozen=True)
class Layout:
    root: Path
    index_dir: Path | None = None  # YTC_INDEX_HOME, from the settings; default: index/

    @property
    def common(self) -> Path:
        return self.root / "common"

    @property
    def version_file(self) -> Path:
        return self.common / "src" / IMPORT_NAME / "__init__.py"

    @property
    def changelog(self) -> Path:
        return self.common / "CHANGELOG.md"

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def common_tests(self) -> Path:
        return self.root / "tests" / "common"

    @property
    def index_home(self) -> Path:
        return (self.index_dir or self.root / "index").resolve()
