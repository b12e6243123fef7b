"""The tool as a team installs it: pip installs it (not editable) into a venv outside this
repository, and it runs in another repository, its embedded index keeping its data where that
repository's table says, never in this checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.net import free_port
from tests.support.today_tree import build_today_tree
from tests.support.venvs import make_venv, pip
from ytc_release.toolkit.runner import clean_pip_env


@pytest.mark.slow
def test_installed_from_a_wheel_it_sets_up_and_serves_another_repository(repo_root: Path, tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", tmp_path / "dist", repo_root],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next((tmp_path / "dist").glob("ytcaption_pipeline-*.whl"))
    python = make_venv(tmp_path / "tool-venv")
    pip(python, "install", "--quiet", "--require-hashes", "--no-deps", "-r", str(repo_root / "requirements.lock"))
    pip(python, "install", "--quiet", "--no-deps", str(wheel))
    ytc = python.parent / "ytc-release"
    repo = build_today_tree(tmp_path / "their-repo")
    home_before = sorted(p.name for p in repo_root.iterdir())
    env = {k: v for k, v in clean_pip_env().items() if not k.startswith(("TWINE_", "YTC_"))}
    env |= {"HOME": str(tmp_path / "home"), "YTC_INDEX_PORT": str(free_port())}

    def ytc_release(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([ytc, *args], cwd=repo / "services", env=env, capture_output=True, text=True, timeout=120)

    refused = ytc_release("status")
    assert refused.returncode == 1 and "run `ytc-release init`" in refused.stderr
    assert subprocess.run([ytc, "init"], cwd=repo, env=env, capture_output=True, text=True).returncode == 0
    try:
        up = ytc_release("index", "up")
        assert up.returncode == 0, up.stdout + up.stderr
        home = repo / ".ytc-release" / "index"
        assert (home / "packages").is_dir() and (home / "auth" / "htpasswd").is_file()
        assert os.stat(home / "auth" / "htpasswd").st_mode & 0o077 == 0
        status = ytc_release("index", "status")
        assert "health:   ok" in status.stdout or "healthy" in status.stdout, status.stdout
    finally:
        ytc_release("index", "down")
    assert sorted(p.name for p in repo_root.iterdir()) == home_before, "nothing is written into the tool's checkout"
    where = subprocess.run(
        [python, "-c", "import ytc_release, ytc_index; print(ytc_release.__file__); print(ytc_index.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,  # not this checkout: `python -c` puts the working directory first on sys.path
    ).stdout.split()
    assert all(path.startswith(str(tmp_path / "tool-venv")) for path in where), where
