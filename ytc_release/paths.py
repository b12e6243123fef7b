"""Where things live in the repository."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ytc_release.errors import RepositoryLayoutError

DIST_NAME = "ytcaption-common"
IMPORT_NAME = "ytcaption_common"


def find_repo_root(start: Path | None = None) -> Path:
    """YTC_REPO_ROOT, else the nearest folder above ``start`` (cwd) holding common/pyproject.toml."""
    env = os.environ.get("YTC_REPO_ROOT")
    if env:
        root = Path(env).resolve()
        if not (root / "common" / "pyproject.toml").is_file():
            raise RepositoryLayoutError(f"YTC_REPO_ROOT={env} has no common/pyproject.toml")
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "common" / "pyproject.toml").is_file():
            return candidate
    raise RepositoryLayoutError(f"no ytcaption repository (common/pyproject.toml) found at or above {here}")


@dataclass(frozen=True)
class Layout:
    root: Path

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
        return Path(os.environ.get("YTC_INDEX_HOME", self.root / "index")).resolve()


def layout() -> Layout:
    return Layout(find_repo_root())
