"""The same commit builds byte-identical files in another clone on another day:
other paths, file times two days apart, another time zone and umask."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from ytc_release.pipeline.build import TOOLCHAIN_FILE, build


def clone(repo_root: Path, dest: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(repo_root), str(dest)], check=True)
    return dest


def test_two_clones_on_different_days_build_the_same_bytes(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = clone(repo_root, tmp_path / "monday")
    one = {a.name: a.sha256 for a in build(first / "common", first / "dist", first)}

    second = clone(repo_root, tmp_path / "elsewhere" / "wednesday")
    two_days_ago = time.time() - 2 * 86400
    for path in (second / "common").rglob("*"):
        os.utime(path, (two_days_ago, two_days_ago))
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    old_umask = os.umask(0o077)
    try:
        two = {a.name: a.sha256 for a in build(second / "common", second / "dist", second)}
    finally:
        os.umask(old_umask)

    assert len(one) == 2 and one == two
    # What built them is written beside them, the same in both.
    assert (first / "dist" / TOOLCHAIN_FILE).read_text() == (second / "dist" / TOOLCHAIN_FILE).read_text()
