"""smoke's pieces that need no index: the index it picks, the app's environment, a CMD that cannot start,
the venv cache key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from release import migrate, smoke


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ("TWINE_REPOSITORY", "PIP_INDEX_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("TWINE_REPOSITORY_URL", "https://idx.example/legacy/")
    monkeypatch.setenv("TWINE_USERNAME", "uploader")
    monkeypatch.setenv("TWINE_PASSWORD", "s3cret-pw")
    monkeypatch.chdir(tmp_path)  # outside a ytcaption checkout


def test_smoke_installs_from_the_index_migrate_targets(configured: None) -> None:
    target = migrate.index_target(None)
    assert target is not None
    assert smoke.index_url(None) == target.simple_url_with_credentials()
    assert smoke.index_url(None).startswith("https://uploader:s3cret-pw@idx.example/")


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

    from release import dockerfile

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
