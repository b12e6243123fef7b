"""migrate, then smoke: the services install from a live index, start with a real
Redis and answer GET /health; a failure names its step and shows the log tail."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import psutil
import pytest

from tests.migrate.upstream_tree import SERVICES, build
from tests.support.workspace import Workspace, make_workspace
from ytc_release.services import locking
from ytc_release.toolkit.ports import port_taken

DIST_NAME = "ytcaption-common"  # the example library this repository releases

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def released(repo_root: Path, tmp_path_factory: pytest.TempPathFactory):
    ws = make_workspace(repo_root, tmp_path_factory.mktemp("smoke"))
    result = ws.ytc("release", "--skip-tests")
    assert result.returncode == 0, result.stdout + result.stderr
    yield ws
    ws.index.down()


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


def ytc(ws: Workspace, cache: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = ws.ytc(*args, cwd=cwd, XDG_CACHE_HOME=str(cache))
    password = ws.index.credentials()[2]
    assert password not in result.stdout + result.stderr
    return result


def test_migrated_services_start_from_the_index_and_answer_health(
    released: Workspace, cache: Path, repo_root: Path, tmp_path: Path
) -> None:
    tree = build(tmp_path / "upstream", repo_root)
    version = released.ytc("status").stdout.split("source version:")[1].split()[0]
    migrated = ytc(released, cache, tree, "migrate", *SERVICES)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert f"version: {version}, the newest ytcaption-common on" in migrated.stdout
    assert f"ytc-release smoke {' '.join(SERVICES)}" in migrated.stdout
    # migrate locks each service it converts against the index, and says what the Dockerfile still needs.
    for service in SERVICES:
        lock = locking.parse_lock((tree / service / locking.LOCK_FILE).read_text())
        assert lock["ytcaption-common"].version == version and lock["ytcaption-common"].hashes
        assert all(entry.hashes for entry in lock.values())
    assert "requirements.lock compiled (every dependency with its hashes)" in migrated.stdout
    assert "install requirements.lock instead" in migrated.stdout

    result = ytc(released, cache, tree, "smoke", *SERVICES)
    assert result.returncode == 0, result.stdout + result.stderr
    for service in SERVICES:
        assert f"<== {service}: GET /health: ok" in result.stdout
        assert re.search(rf'-> 200 .*"service": ?"{Path(service).name}"', result.stdout), result.stdout
    assert "smoke ok" in result.stdout
    # the orchestrator and audio-normalization start through `python run.py`, the others through uvicorn
    assert "bin/python run.py" in result.stdout and "bin/uvicorn app.main:app --host 127.0.0.1 --port" in result.stdout
    # Redis is stopped afterwards
    redis_port = int(re.search(r"start redis-server on 127\.0\.0\.1:(\d+)", result.stdout)[1])
    assert not port_taken(redis_port)
    # nothing was written into the service folders (the app ran from a scratch copy)
    assert not any((tree / s / "logs").exists() for s in SERVICES)

    again = ytc(released, cache, tree, "smoke", "services/video-downloader")
    assert again.returncode == 0 and "cached venv" in again.stdout


def test_a_failing_app_names_the_step_shows_its_log_masked_and_is_stopped(
    released: Workspace, cache: Path, tmp_path: Path
) -> None:
    version = released.ytc("status").stdout.split("source version:")[1].split()[0]
    svc = tmp_path / "broken"
    svc.mkdir()
    pid_file = tmp_path / "app.pid"
    (svc / "requirements.txt").write_text(f"ytcaption-common=={version}\n")
    (svc / "Dockerfile").write_text(
        "FROM python:3.11-slim\nCOPY requirements.txt .\n"
        "RUN --mount=type=secret,id=pipconf,target=/etc/pip.conf pip install -r requirements.txt\n"
        'COPY . .\nCMD ["python", "app.py"]\n'
    )
    (svc / "app.py").write_text(
        "import os, time\n"
        f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "print('connecting to http://deploy:hunter22secret@db.invalid/ ...', flush=True)\n"
        "time.sleep(600)  # never answers /health\n"
    )
    result = ytc(released, cache, tmp_path, "smoke", "--timeout", "4", "broken")
    assert result.returncode == 1
    assert "<== broken: GET /health: FAILED" in result.stdout
    assert "no 200 from GET /health within 4s (nothing answered)" in result.stdout
    assert "connecting to http://deploy:***@db.invalid/" in result.stdout and "hunter22secret" not in result.stdout
    assert "smoke failed for broken" in result.stderr
    assert not psutil.pid_exists(int(pid_file.read_text()))


def test_from_the_services_own_repository_the_running_embedded_index_is_found(
    released: Workspace, repo_root: Path, tmp_path: Path
) -> None:
    # The real services live in their own repository: no YTC_REPO_ROOT, the working directory is theirs.
    # migrate then reads the embedded index of the checkout the tool runs from.
    tree = build(tmp_path / "upstream", repo_root)
    env = released.env()
    del env["YTC_REPO_ROOT"]
    result = released.ytc("migrate", "--dry-run", "services/video-downloader", cwd=tree, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"the newest ytcaption-common on http://127.0.0.1:{released.port}/ (embedded default index)" in result.stdout


def test_without_an_index_smoke_says_what_to_do(tmp_path: Path, repo_root: Path) -> None:
    ws = make_workspace(repo_root, tmp_path)
    result = ws.ytc("smoke", "orchestrator")
    assert result.returncode == 1
    assert "no index to install from" in result.stderr and "make index-up" in result.stderr


def test_an_app_that_ignores_port_is_found_where_it_listens(released: Workspace, cache: Path, tmp_path: Path) -> None:
    # upstream's orchestrator run.py hard-codes port=8000; smoke probes the port the app really opened
    from ytc_release.toolkit.ports import free_port

    version = released.ytc("status").stdout.split("source version:")[1].split()[0]
    fixed = free_port()
    svc = tmp_path / "fixed-port"
    svc.mkdir()
    (svc / "requirements.txt").write_text(f"ytcaption-common=={version}\n")
    (svc / "Dockerfile").write_text(
        'FROM python:3.11-slim\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n'
    )
    (svc / "app.py").write_text(
        "from http.server import BaseHTTPRequestHandler, HTTPServer\n"
        "class H(BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        self.send_response(200 if self.path == '/health' else 404)\n"
        "        self.end_headers()\n"
        '        self.wfile.write(b\'{"status": "healthy"}\')\n'
        f"HTTPServer(('127.0.0.1', {fixed}), H).serve_forever()\n"
    )
    result = ytc(released, cache, tmp_path, "smoke", "--timeout", "20", "fixed-port")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"the app listens on [{fixed}], not only on the port it was given" in result.stdout
    assert f"GET http://127.0.0.1:{fixed}/health -> 200" in result.stdout
    assert not port_taken(fixed)  # stopped afterwards
