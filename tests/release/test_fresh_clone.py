"""The README's first command on a fresh clone: `make release` creates its venv,
starts the embedded index and ends with the source version published and pinned."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from release.embedded import EmbeddedIndex
from release.pins import read_pins
from release.target import embedded_target
from tests.support.net import free_port
from tests.support.venvs import make_venv, pip, run_python
from tests.support.versions import V_PATCH, V


def make(clone: Path, env: dict[str, str], *targets: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", *targets], cwd=clone, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def test_make_release_on_a_fresh_clone(repo_root: Path, tmp_path: Path) -> None:
    clone = tmp_path / "ytcaption"
    subprocess.run(["git", "clone", "-q", str(repo_root), str(clone)], check=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TWINE_", "VIRTUAL_ENV", "YTC_")) and k != "PIP_INDEX_URL"
    }
    env["YTC_INDEX_PORT"] = str(free_port())
    index = EmbeddedIndex(clone / "index")
    try:
        first = make(clone, env, "release")
        assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
        assert f"ytcaption-common {V} — released" in first.stdout
        assert (clone / ".venv/bin/ytc-release").exists()
        assert {p.version for p in read_pins(clone)} == {V}
        assert index.credentials()[2] not in first.stdout + first.stderr

        second = make(clone, env, "release")
        assert second.returncode == 0, second.stderr[-3000:]
        assert "nothing uploaded (no-op)" in second.stdout

        assert make(clone, env, "bump", "PART=patch").returncode == 0
        subprocess.run(
            ["git", "-C", str(clone), "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qam", V_PATCH],
            check=True,
        )
        third = make(clone, env, "release")
        assert third.returncode == 0, third.stdout[-4000:] + third.stderr[-4000:]
        assert f"orchestrator {V} -> {V_PATCH}" in third.stdout
        assert {p.version for p in read_pins(clone)} == {V_PATCH}

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
        for version in (V, V_PATCH):
            pip(
                python,
                "install",
                "--quiet",
                "--no-deps",
                "--force-reinstall",
                "--index-url",
                simple,
                f"ytcaption-common=={version}",
            )
            assert run_python(python, "import ytcaption_common as m; print(m.__version__)") == version
    finally:
        index.down()
