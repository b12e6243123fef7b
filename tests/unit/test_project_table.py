"""The [tool.ytc-release] table: defaults, and errors that name the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from ytc_release.errors import ProjectConfigError
from ytc_release.project import DEFAULT_INDEX_HOME, load, parse


def library(root: Path, pyproject: str = "[project]\nname = 'Team.Lib'\nversion = '1.2.3'\n") -> Path:
    (root / "lib").mkdir(parents=True, exist_ok=True)
    (root / "lib" / "pyproject.toml").write_text(pyproject)
    return root


def test_defaults_come_from_the_library_itself(tmp_path: Path) -> None:
    project = parse(library(tmp_path), {"library": "lib"})
    assert (project.distribution, project.import_names) == ("Team.Lib", ("team_lib",))
    assert project.version_file == "lib/pyproject.toml" and project.changelog is None
    assert project.services == ("services/*",) and project.tests == ()
    assert project.index_home == DEFAULT_INDEX_HOME
    assert (project.wheel_stem, project.normalized) == ("team_lib", "team-lib")


def test_hatch_version_path_is_the_default_version_file(tmp_path: Path) -> None:
    library(tmp_path, "[project]\nname = 'x'\ndynamic = ['version']\n[tool.hatch.version]\npath = 'x/__init__.py'\n")
    (tmp_path / "lib" / "x").mkdir()
    (tmp_path / "lib" / "x" / "__init__.py").write_text('__version__ = "1.0.0"\n')
    assert parse(tmp_path, {"library": "lib"}).version_file == "lib/x/__init__.py"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"library": "lib", "servces": []}, "unknown key(s): servces"),
        ({}, "does not name the library"),
        ({"library": "nowhere"}, "library = 'nowhere': no such folder"),
        ({"library": "../lib"}, "points outside the repository"),
        ({"library": "lib", "import-names": ["not-a-package"]}, "are not Python package names"),
        ({"library": "lib", "services": "services/*", "tests": [1]}, "tests must be a list of strings"),
        ({"library": "lib", "version-file": "lib/missing.py"}, "version-file = 'lib/missing.py': no such file"),
    ],
)
def test_bad_tables_are_named(tmp_path: Path, table: dict, message: str) -> None:
    with pytest.raises(ProjectConfigError) as caught:
        parse(library(tmp_path), table)
    assert message in caught.value.problem and caught.value.fix


def test_a_repository_without_the_table_is_told_to_run_init(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    with pytest.raises(ProjectConfigError) as caught:
        load(tmp_path)
    assert "no [tool.ytc-release] table" in caught.value.problem and "ytc-release init" in caught.value.fix
