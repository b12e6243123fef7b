"""What a built wheel may hold, and the metadata it must carry."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ytc_release.pipeline.check import wheel_problems

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


def problems(path: Path) -> list[str]:
    return wheel_problems(path, VERSION, REQUIRES_PYTHON, DEPS)


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
