"""The tooling and the index on every supported Python present: a venv from the
hash-checked lock, then the embedded index started by `ytc-release index up`
under that Python serves, takes an authenticated twine upload (passlib is
libpass, bcrypt unpinned) and refuses a wrong password."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.index import make_wheel
from tests.support.net import http_get
from tests.support.pythons import present_pythons
from ytc_release.index.client import parse_listing
from ytc_release.index.embedded import EmbeddedIndex
from ytc_release.toolkit.ports import free_port
from ytc_release.toolkit.runner import clean_pip_env

PYTHONS = present_pythons()


def test_the_running_python_is_a_supported_one_and_found() -> None:
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in PYTHONS
    assert all(Path(p).is_file() for p in PYTHONS.values())


def _run(args: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("version", sorted(PYTHONS))
def test_index_serves_and_authenticates_under_each_python(version: str, repo_root: Path, tmp_path: Path) -> None:
    env = clean_pip_env()
    venv = tmp_path / "venv"
    assert _run([PYTHONS[version], "-m", "venv", str(venv)], env).returncode == 0
    python = str(venv / "bin" / "python")
    lock = _run(
        [
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "--require-hashes",
            "--no-deps",
            "-r",
            str(repo_root / "requirements.lock"),
        ],
        env,
    )
    assert lock.returncode == 0, lock.stdout + lock.stderr
    own = _run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(repo_root)], env)
    assert own.returncode == 0, own.stdout + own.stderr
    assert _run([python, "-c", "import sys; print(sys.version)"], env).stdout.startswith(version)

    home = tmp_path / "index"
    port = free_port()
    ytc_env = dict(env, YTC_REPO_ROOT=str(repo_root), YTC_INDEX_HOME=str(home), YTC_INDEX_PORT=str(port))
    up = _run([python, "-m", "ytc_release.cli", "index", "up"], ytc_env)
    index = EmbeddedIndex(home)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        assert index.htpasswd.read_text().split(":", 1)[1].startswith("$2")  # bcrypt, written by libpass
        url, user, password = index.credentials()
        assert http_get(url + "health")[0] == 200

        wheel = make_wheel(tmp_path / "files", version="9.9.9")
        twine = [python, "-m", "twine", "upload", "--non-interactive", "--repository-url", url, str(wheel)]
        wrong = _run(twine, dict(env, TWINE_USERNAME=user, TWINE_PASSWORD=password + "x"))
        refused = wrong.stdout + wrong.stderr
        assert wrong.returncode != 0 and ("403" in refused or "401" in refused), refused
        right = _run(twine, dict(env, TWINE_USERNAME=user, TWINE_PASSWORD=password))
        assert right.returncode == 0, right.stdout + right.stderr

        status, body, _ = http_get(url + "simple/ytcaption-common/")
        files = parse_listing(body.decode(), url + "simple/ytcaption-common/")
        assert status == 200 and [(f.filename, bool(f.sha256)) for f in files] == [(wheel.name, True)]
    finally:
        _run([python, "-m", "ytc_release.cli", "index", "down"], ytc_env)
        index.down()
