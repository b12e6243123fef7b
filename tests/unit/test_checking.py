"""The sdist content check: only files of the library's own folder ship, and no tests or caches."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from tests.unit.test_wheel_contents import PROJECT
from ytc_release.pipeline.check import sdist_problems


def sdist(tmp_path: Path, names: list[str]) -> Path:
    path = tmp_path / "ytcaption_common-2.0.0.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for name in names:
            info = tarfile.TarInfo(f"ytcaption_common-2.0.0/{name}")
            tf.addfile(info, io.BytesIO(b""))
    return path


GOOD = ["PKG-INFO", "pyproject.toml", "README.md", "CHANGELOG.md", ".gitignore", "src/ytcaption_common/__init__.py"]


def library(tmp_path: Path, names: list[str]) -> Path:
    """The library's folder as the source tree holds it."""
    folder = tmp_path / "common"
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("")
    return folder


def test_what_common_declares_passes(tmp_path: Path) -> None:
    assert sdist_problems(sdist(tmp_path, GOOD), PROJECT, "2.0.0", library(tmp_path, GOOD[1:])) == []


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("tests/test_x.py", "stray file in the sdist: ytcaption_common-2.0.0/tests/test_x.py"),
        ("Makefile", "stray file in the sdist: ytcaption_common-2.0.0/Makefile"),
        ("src/ytcaption_common/__pycache__/x.pyc", "stray file in the sdist"),
        ("src/other/x.py", "stray file in the sdist: ytcaption_common-2.0.0/src/other/x.py"),
    ],
)
def test_anything_else_is_named(tmp_path: Path, extra: str, problem: str) -> None:
    (found,) = sdist_problems(sdist(tmp_path, [*GOOD, extra]), PROJECT, "2.0.0", library(tmp_path, GOOD[1:]))
    assert problem in found


def test_a_test_module_of_the_library_folder_does_not_ship(tmp_path: Path) -> None:
    names = [*GOOD[1:], "src/ytcaption_common/dates/test_helpers.py"]
    (found,) = sdist_problems(sdist(tmp_path, [*GOOD, names[-1]]), PROJECT, "2.0.0", library(tmp_path, names))
    assert found == "tests or caches must not ship: ytcaption_common-2.0.0/src/ytcaption_common/dates/test_helpers.py"
