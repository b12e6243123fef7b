"""smoke's pieces that need no index: the index it picks, the app's environment, a CMD that cannot start,
the venv cache key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ytc_release.migration import migrate
from ytc_release.services import smoke
from ytc_release.settings import Settings


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ("TWINE_REPOSITORY", "PIP_INDEX_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("TWINE_REPOSITORY_URL", "https://idx.example/legacy/")
    monkeypatch.setenv("TWINE_USERNAME", "uploader")
    monkeypatch.setenv("TWINE_PASSWORD", "s3cret-pw")
    monkeypatch.chdir(tmp_path)  # outside a ytcaption checkout


def test_smoke_installs_from_the_index_migrate_targets(configured: None) -> None:
    settings = Settings.resolve()
    target = migrate.index_target(settings)
    assert target is not None
    assert smoke.index_url(settings) == target.simple_url_with_credentials()
    assert smoke.index_url(settings).startswith("https://uploader:s3cret-pw@idx.example/")


DOCKERFILE = 'FROM python:3.11-slim\nWORKDIR /app\nENV APP_MODE=prod LOG_DIR=/app/logs\nCMD ["python", "run.py"]\n'


def _run_app(argv: list[str], tmp_path: Path, env: dict[str, str]) -> str:
    app = smoke.App(argv, tmp_path, env, tmp_path / "app.log")
    try:
        assert app.proc.wait(timeout=30) == 0
    finally:
        app.stop()
    return (tmp_path / "app.log").read_text()


def test_the_app_sees_an_allow_listed_environment_never_the_callers_secrets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sys

    from ytc_release.toolkit import dockerfile

    monkeypatch.setenv("TWINE_PASSWORD", "s3cret-pw")
    monkeypatch.setenv("TWINE_USERNAME", "uploader")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    env = smoke.app_env(dockerfile.parse(DOCKERFILE), tmp_path / "venv", tmp_path, 8123, "redis://127.0.0.1:1/0")
    seen = _run_app([sys.executable, "-c", "import json, os; print(json.dumps(dict(os.environ)))"], tmp_path, env)
    assert "s3cret-pw" not in seen and "TWINE_" not in seen and "aws-secret" not in seen
    got = json.loads(seen)
    assert got["APP_MODE"] == "prod" and got["PORT"] == "8123" and got["LC_ALL"] == "C.UTF-8"
    allowed = {"PATH", "HOME", "LANG", "LANGUAGE", "TMPDIR", "APP_MODE", "LOG_DIR", "VIRTUAL_ENV", "PYTHONPATH"}
    allowed |= {"PYTHONUNBUFFERED", "PORT", "HOST", "UVICORN_HOST", "UVICORN_PORT", "REDIS_URL", "YTC_REDIS_URL"}
    assert {k for k in got if not k.startswith("LC_")} <= allowed


def _open_fds() -> int:
    import os

    return len(os.listdir("/proc/self/fd"))


@pytest.mark.parametrize("kind", ["missing", "not executable"])
def test_a_cmd_that_cannot_start_is_a_smoke_error_naming_the_step_and_command(kind: str, tmp_path: Path) -> None:
    program = tmp_path / "serve"
    if kind == "not executable":
        program.write_text("#!/bin/sh\nexit 0\n")
        program.chmod(0o644)
    before = _open_fds()
    with pytest.raises(smoke.SmokeError) as err:
        smoke.App([str(program), "--port", "8000"], tmp_path, {"PATH": "/usr/bin:/bin"}, tmp_path / "app.log")
    assert "start the app" in err.value.problem and f"`{program} --port 8000`" in err.value.problem
    assert "CMD" in err.value.fix
    assert _open_fds() == before  # the log file was closed


def test_the_venv_cache_key_is_the_files_the_pip_step_installs_and_the_index(tmp_path: Path) -> None:
    from ytc_release.toolkit import dockerfile

    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.11-slim\nCOPY requirements.txt requirements.lock ./\n"
        "RUN pip install -r requirements.txt -c requirements.lock\n"
    )
    (tmp_path / "requirements.txt").write_text("fastapi\n-r base.in\n")
    (tmp_path / "base.in").write_text("redis\n")
    (tmp_path / "requirements.lock").write_text("fastapi==0.110.0\n")
    (tmp_path / "requirements-dev.txt").write_text("pytest\n")
    args = smoke.pip_install_args(tmp_path, dockerfile.parse_file(tmp_path / "Dockerfile"))
    assert args == ["-r", "requirements.txt", "-c", "requirements.lock"]
    url = "https://user:pw@idx.example/simple/"

    def key() -> str:
        return smoke.requirements_hash(tmp_path, args, url)

    first = key()
    (tmp_path / "requirements-dev.txt").write_text("pytest\nhypothesis\n")  # not installed: same venv
    assert key() == first
    assert smoke.requirements_hash(tmp_path, args, "https://other:token@idx.example/simple/") == first
    assert smoke.requirements_hash(tmp_path, args, "https://idx2.example/simple/") != first
    (tmp_path / "requirements.lock").write_text("fastapi==0.111.0\n")  # the -c file changed: a new venv
    second = key()
    assert second != first
    (tmp_path / "base.in").write_text("redis==5.0.0\n")  # a file requirements.txt names
    assert key() != second
