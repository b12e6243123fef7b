"""The sdist content check: only what common/ itself declares ships."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from ytc_release.pipeline.check import sdist_problems


def sdist(tmp_path: Path, names: list[str]) -> Path:
    path = tmp_path / "ytcaption_common-2.0.0.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for name in names:
            info = tarfile.TarInfo(f"ytcaption_common-2.0.0/{name}")
            tf.addfile(info, io.BytesIO(b""))
    return path


GOOD = ["PKG-INFO", "pyproject.toml", "README.md", "CHANGELOG.md", ".gitignore", "src/ytcaption_common/__init__.py"]


def test_what_common_declares_passes(tmp_path: Path) -> None:
    assert sdist_problems(sdist(tmp_path, GOOD), "2.0.0") == []


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ("tests/test_x.py", "stray file in the sdist: ytcaption_common-2.0.0/tests/test_x.py"),
        ("Makefile", "stray file in the sdist: ytcaption_common-2.0.0/Makefile"),
        ("src/ytcaption_common/__pycache__/x.pyc", "tests or caches must not ship"),
        ("src/other/x.py", "stray file in the sdist: ytcaption_common-2.0.0/src/other/x.py"),
    ],
)
def test_anything_else_is_named(tmp_path: Path, extra: str, problem: str) -> None:
    (found,) = sdist_problems(sdist(tmp_path, [*GOOD, extra]), "2.0.0")
    assert problem in found
