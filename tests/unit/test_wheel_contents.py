"""What a built wheel may hold, and the metadata it must carry."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ytc_release.pipeline.check import wheel_problems
from ytc_release.project import Project

VERSION, REQUIRES_PYTHON, DEPS = "1.2.3", ">=3.10", ["pydantic>=2", "redis>=5"]
DIST_INFO = f"ytcaption_common-{VERSION}.dist-info"


def metadata(deps: list[str] = DEPS, **changes: str | None) -> str:
    fields = {"Name": "ytcaption-common", "Version": VERSION, "Requires-Python": REQUIRES_PYTHON, **changes}
    lines = ["Metadata-Version: 2.3"] + [f"{k}: {v}" for k, v in fields.items() if v is not None]
    lines += [f"Requires-Dist: {d}" for d in deps]
    return "\n".join(lines) + "\n\n"


def wheel(tmp_path: Path, extra: tuple[str, ...] = (), meta: str | None = None, py_typed: bool = True) -> Path:
    path = tmp_path / f"ytcaption_common-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ytcaption_common/__init__.py", f'__version__ = "{VERSION}"\n')
        if py_typed:
            zf.writestr("ytcaption_common/py.typed", "")
        zf.writestr(f"{DIST_INFO}/METADATA", meta if meta is not None else metadata())
        for name in extra:
            zf.writestr(name, "")
    return path


PROJECT = Project(
    library="common",
    distribution="ytcaption-common",
    import_names=("ytcaption_common",),
    version_file="common/src/ytcaption_common/__init__.py",
    changelog=None,
    tests=(),
    services=(),
    exclude=(),
    index_home="index",
)


def problems(path: Path, project: Project = PROJECT) -> list[str]:
    return wheel_problems(path, project, VERSION, REQUIRES_PYTHON, DEPS, py_typed=True)


def test_a_clean_wheel_has_no_problems(tmp_path: Path) -> None:
    assert problems(wheel(tmp_path)) == []


def test_dependencies_compare_as_requirements_not_text(tmp_path: Path) -> None:
    meta = metadata(deps=["redis >=5", "pydantic>=2"])
    assert problems(wheel(tmp_path, meta=meta)) == []


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("conftest.py", "stray file outside ytcaption_common/"),
        ("tests/test_x.py", "stray file outside"),
        ("ytcaption_common/tests/test_x.py", "tests or caches must not ship"),
        ("ytcaption_common/__pycache__/x.cpython-311.pyc", "tests or caches must not ship"),
        ("ytcaption_common/core.py.orig", "tests or caches must not ship"),
        ("ytcaption_common/.core.py.swp", "tests or caches must not ship"),
    ],
)
def test_anything_but_the_library_is_named(tmp_path: Path, extra: str, problem: str) -> None:
    found = problems(wheel(tmp_path, extra=(extra,)))
    assert any(problem in p and extra in p for p in found), found


def test_py_typed_is_required(tmp_path: Path) -> None:
    assert problems(wheel(tmp_path, py_typed=False)) == [
        "ytcaption_common/py.typed is missing (type checkers would ignore the hints)"
    ]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"Name": "ytcaption-other"}, "metadata Name is 'ytcaption-other'"),
        ({"Version": "1.2.4"}, "metadata Version is '1.2.4', expected '1.2.3'"),
        ({"Requires-Python": ">=3.8"}, "metadata Requires-Python is '>=3.8'"),
        ({"Requires-Python": None}, "metadata Requires-Python is None"),
        ({"deps": ["pydantic>=2"]}, "metadata Requires-Dist ['pydantic>=2'] differs"),
        ({"deps": [*DEPS, "requests"]}, "differs from pyproject"),
    ],
)
def test_metadata_must_match_pyproject(tmp_path: Path, changes: dict, problem: str) -> None:
    found = problems(wheel(tmp_path, meta=metadata(**changes)))
    assert len(found) == 1 and problem in found[0], found


def test_a_wheel_without_metadata_stops_there(tmp_path: Path) -> None:
    path = tmp_path / f"ytcaption_common-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ytcaption_common/__init__.py", "")
        zf.writestr("ytcaption_common/py.typed", "")
    assert problems(path) == [f"{DIST_INFO}/METADATA is missing"]


@pytest.mark.parametrize(
    "member",
    ["ytcaption_common/conftest.py", "ytcaption_common/dates/test_helpers.py", "ytcaption_common/x_test.py"],
)
def test_test_modules_inside_the_package_never_ship(tmp_path: Path, member: str) -> None:
    found = problems(wheel(tmp_path, extra=(member,)))
    assert found == [f"tests or caches must not ship: {member}"]


def test_helper_packages_named_test_utils_ship(tmp_path: Path) -> None:
    """Services import `common.test_utils` in their conftest: a helper package is not a test."""
    assert problems(wheel(tmp_path, extra=("ytcaption_common/test_utils/fixtures.py",))) == []


def test_py_typed_is_required_only_when_the_source_has_it(tmp_path: Path) -> None:
    path = wheel(tmp_path, py_typed=False)
    assert wheel_problems(path, PROJECT, VERSION, REQUIRES_PYTHON, DEPS, py_typed=False) == []


def test_another_import_name_is_the_library(tmp_path: Path) -> None:
    """A library configured with import name `common` (upstream's) ships `common/`, nothing else."""
    project = Project(**{**PROJECT.__dict__, "import_names": ("common",)})
    path = wheel(tmp_path)
    found = wheel_problems(path, project, VERSION, REQUIRES_PYTHON, DEPS)
    assert found and all("stray file outside common/" in p for p in found)
