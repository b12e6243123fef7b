"""`ytc-release index remove|yank` by an operator who may not write the index's
folders: a clear error naming the path and the fix, never a traceback, and
nothing half-done. Run as a real non-root user (setpriv when the tests run as root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from ytc_index.releases import LOCK_NAME

NOBODY = 65534
WHEEL = "ytcaption_common-1.0.0-py3-none-any.whl"


def as_operator(*args: str) -> subprocess.CompletedProcess[str]:
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("needs setpriv to run the CLI as a non-root user")
        prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), str(repo / "index")])}

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*prefix, *argv], capture_output=True, text=True, check=False, cwd="/", env=env)

    probe = run(sys.executable, "-c", "import ytc_release.cli, ytc_index.operator")
    if probe.returncode != 0:  # e.g. a checkout under a folder only root may enter
        pytest.skip(f"a non-root user cannot run this checkout's CLI here: {probe.stderr.strip()[-200:]}")
    return run(sys.executable, "-m", "ytc_release.cli", "index", *args)


@pytest.fixture
def index_dir() -> Iterator[Path]:
    """An index folder owned by someone else: /tmp, so that a non-root user can reach it."""
    base = Path(tempfile.mkdtemp(prefix="ytc-operator-"))
    os.chmod(base, 0o755)
    packages = base / "packages"
    packages.mkdir()
    (packages / WHEEL).write_bytes(b"wheel")
    (base / "state").mkdir()
    (base / "state" / LOCK_NAME).touch()  # the running server made both
    try:
        yield packages
    finally:
        for path in (base, packages, base / "state"):
            os.chmod(path, 0o755)
        shutil.rmtree(base)


def deny(packages: Path, for_root_runs: int, for_own_runs: int) -> None:
    """As root the folders stay root's and the CLI runs as nobody; otherwise they are our own, so take the bits away."""
    mode = for_root_runs if os.geteuid() == 0 else for_own_runs
    os.chmod(packages, mode)
    os.chmod(packages.parent, mode | 0o555)  # reachable, and (as nobody, or 0o555) not writable


def assert_clear_refusal(result: subprocess.CompletedProcess[str], act: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"error: cannot {act} ytcaption-common 1.0.0" in result.stderr
    assert "run it as root or as the index's user" in result.stderr


@pytest.mark.parametrize("act", ["remove", "yank"])
def test_an_operator_who_cannot_write_the_folder_gets_a_clear_error_and_nothing_changes(
    index_dir: Path, act: str
) -> None:
    deny(index_dir, 0o755, 0o555)
    result = as_operator(act, "ytcaption-common", "1.0.0", "--reason", "broken", "--packages", str(index_dir))
    assert_clear_refusal(result, act)
    assert (index_dir / WHEEL).exists()
    assert not (index_dir.parent / "operations.log").exists()  # no record of an act that was not done


def test_an_operator_who_cannot_read_the_folder_is_not_told_there_are_no_files(index_dir: Path) -> None:
    deny(index_dir, 0o750, 0o000)  # the container's folder: its owner and group only
    result = as_operator("remove", "ytcaption-common", "1.0.0", "--packages", str(index_dir))
    assert_clear_refusal(result, "remove")
    assert "has no files" not in result.stderr and str(index_dir) in result.stderr
    os.chmod(index_dir, 0o755)  # so that this test may look (as non-root, 0o000 hid it from us too)
    assert (index_dir / WHEEL).exists()
