"""Every service installs ytcaption-common from the private index with its
Dockerfile's own pip command, runs, and reports the pinned version on /health."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.support.dockerfile import pip_install_command, secret_mount
from tests.support.net import free_port, http_get, wait_for_port
from tests.support.redis_server import RedisServer
from tests.support.venvs import make_venv
from tests.support.workspace import Workspace, make_workspace
from ytc_release.index.accounts import set_user
from ytc_release.paths import Layout
from ytc_release.services.pins import discover_services, read_pin
from ytc_release.target import embedded_target
from ytc_release.toolkit import web
from ytc_release.toolkit.runner import clean_pip_env
from ytc_release.toolkit.waiting import wait_until
from ytc_release.version import next_version, read_version

SERVICES = [p.relative_to(REPO_ROOT).as_posix() for p in discover_services(Layout(REPO_ROOT))]
READER, READER_PASSWORD = "deploy-reader", "reader-password-for-tests"


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory):
    ws = make_workspace(REPO_ROOT, tmp_path_factory.mktemp("services"))
    result = ws.ytc("release", "--skip-tests")
    assert result.returncode == 0, result.stdout + result.stderr
    set_user(ws.index.htpasswd, READER, READER_PASSWORD)  # the VMs' download credential
    yield ws
    ws.index.down()


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def venvs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("venvs")
    return {service: base / service.replace("/", "_") for service in SERVICES}


def write_pip_conf(ws: Workspace, path: Path) -> Path:
    """What a VM operator writes: one index-url with a download credential, nothing else."""
    simple = embedded_target(ws.index).simple_url.replace("http://", f"http://{READER}:{READER_PASSWORD}@")
    path.write_text(f"[global]\nindex-url = {simple}\n")
    return path


def dockerfile_pip_install(ws: Workspace, service: str, venv: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    if not (venv / "bin" / "python").exists():
        make_venv(venv)
    argv = pip_install_command(ws.root / service / "Dockerfile")
    env = clean_pip_env()
    env["PIP_CONFIG_FILE"] = str(write_pip_conf(ws, tmp / "pip.conf"))  # stands in for the mounted /etc/pip.conf
    return subprocess.run(
        [str(venv / "bin" / "python"), "-m", *argv, "-v"],
        cwd=ws.root / service,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def installed_version(venv: Path) -> str:
    code = "import importlib.metadata as m; print(m.version('ytcaption-common'))"
    return subprocess.run(
        [str(venv / "bin/python"), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


class App:
    """The service as its Dockerfile's CMD runs it, with the environment its compose file sets."""

    def __init__(self, venv: Path, service_dir: Path, redis_url: str) -> None:
        self.port = free_port()
        env = clean_pip_env()
        env.update(
            REDIS_URL=redis_url,
            REDIS_CIRCUIT_BREAKER_TIMEOUT="2",  # recover quickly after the test restarts Redis
            UVICORN_PORT=str(self.port),
            UVICORN_HOST="127.0.0.1",
        )
        self.proc = subprocess.Popen(
            [str(venv / "bin/uvicorn"), "app.main:app"],
            cwd=service_dir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, timeout=30)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def health(self) -> tuple[int, dict]:
        status, body, _ = http_get(f"{self.base}/health")
        return status, json.loads(body)

    def wait_healthy(self, seconds: float = 15) -> dict:
        # The breaker lets a probe through after its cool-down.
        wait_until(lambda: self.health()[1]["status"] == "healthy", timeout=seconds, interval=0.5)
        return self.health()[1]

    def post(
        self, path: str, body: bytes, headers: dict[str, str] | None = None
    ) -> tuple[int, dict, Mapping[str, str]]:
        resp = web.request(
            "POST",
            f"{self.base}{path}",
            data=body,
            headers={"Content-Type": "application/json", **(headers or {})},
            timeout=10,
        )
        return resp.status, json.loads(resp.body), resp.headers

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.mark.parametrize("service", SERVICES)
def test_dockerfile_pip_step_installs_the_pin_from_the_private_index(
    released: Workspace, venvs, service: str, tmp_path: Path
) -> None:
    assert "id=pipconf" in secret_mount(released.root / service / "Dockerfile")
    result = dockerfile_pip_install(released, service, venvs[service], tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    pin = read_pin(Layout(released.root), released.root / service)
    assert installed_version(venvs[service]) == pin.version
    index_url = embedded_target(released.index).simple_url.rstrip("/").rsplit("/", 1)[0]
    assert f"{index_url}/packages/ytcaption_common-{pin.version}-py3-none-any.whl" in result.stdout
    assert READER_PASSWORD not in result.stdout  # pip masks it


@pytest.mark.parametrize("service", SERVICES)
def test_service_health_reports_the_pin_and_degrades_without_redis(
    released: Workspace, venvs, redis: RedisServer, service: str
) -> None:
    pin = read_pin(Layout(released.root), released.root / service)
    app = App(venvs[service], released.root / service, redis.url)
    try:
        status, body = app.health()
        assert status == 200
        assert body["service"] == Path(service).name and body["status"] == "healthy"
        assert body["common_version"] == pin.version and body["redis_connected"] is True
        redis.stop()
        status, body = app.health()
        assert (status, body["status"], body["checks"]) == (200, "degraded", {"redis": "failing"})
        redis.start()
        assert app.wait_healthy()["status"] == "healthy"
    finally:
        app.stop()


@pytest.mark.parametrize("service", SERVICES)
def test_service_answers_errors_in_the_upstream_shape_and_writes_its_log_file(
    released: Workspace, venvs, redis: RedisServer, service: str
) -> None:
    app = App(venvs[service], released.root / service, redis.url)
    try:
        status, body, _ = http_get(f"{app.base}/no-such-route")
        assert status == 404 and json.loads(body) == {"error": "HTTP_ERROR", "message": "Not Found"}
        path = {"orchestrator": "/jobs", "audio-normalization": "/normalizations"}.get(Path(service).name)
        path = path or {"video-downloader": "/downloads", "youtube-search": "/searches"}[Path(service).name]
        status, body, _ = app.post(path, b"{}")
        assert status == 422
        assert (body["error"], body["message"]) == ("VALIDATION_ERROR", "Request validation failed")
        assert isinstance(body["details"], list) and body["details"][0]["type"] == "missing"
        status, body, _ = app.post(path, b"not json")
        assert status == 422 and body["error"] == "VALIDATION_ERROR"
    finally:
        app.stop()
    log_file = released.root / service / "logs" / f"{Path(service).name}.json"
    lines = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert any(line["message"].startswith(f"{Path(service).name} 0.1.0 starting") for line in lines)
    assert all({"timestamp", "level", "logger", "message"} <= line.keys() for line in lines)


def test_service_starts_while_redis_is_down_and_recovers(
    released: Workspace, venvs, redis: RedisServer, tmp_path: Path
) -> None:
    service = SERVICES[-1]
    later = RedisServer(tmp_path)  # its port is chosen; nothing listens yet
    app = App(venvs[service], released.root / service, later.url)
    try:
        status, body = app.health()
        assert (status, body["status"], body["redis_connected"]) == (200, "degraded", False)
        later.start()
        assert app.wait_healthy(seconds=20)["status"] == "healthy"
    finally:
        app.stop()
        later.stop()


def test_domain_endpoint_uses_the_shared_models_and_errors(released: Workspace, venvs, redis: RedisServer) -> None:
    service = "orchestrator"
    app = App(venvs[service], released.root / service, redis.url)
    try:
        status, job, headers = app.post(
            "/jobs", b'{"video_url": "https://video.invalid/v=1"}', {"X-Correlation-ID": "cid-9"}
        )
        assert status == 201 and headers["X-Correlation-ID"] == "cid-9"
        assert job["status"] == "pending" and job["correlation_id"] == "cid-9"
        status, body, _ = http_get(f"{app.base}/jobs/{job['id']}")
        assert status == 200 and json.loads(body)["id"] == job["id"]
        stored = redis_client(redis.url).get(f"orchestrator:job:{job['id']}")
        assert json.loads(stored)["status"] == "pending"  # plain JSON in Redis, status as its string
        status, body, headers = http_get(f"{app.base}/jobs/does-not-exist")
        assert status == 404 and json.loads(body)["error"] == "RESOURCE_NOT_FOUND"
        assert headers["x-correlation-id"]
    finally:
        app.stop()


def redis_client(url: str):
    import redis as redis_py

    return redis_py.Redis.from_url(url, decode_responses=True)


def test_a_release_moves_every_pin_and_the_installs_follow(
    released: Workspace, venvs, redis: RedisServer, tmp_path: Path
) -> None:
    source = read_version(released.root / "common/src/ytcaption_common/__init__.py")
    following = next_version(source, "patch")
    assert released.ytc("bump", "patch").returncode == 0
    released.commit_all(following)
    result = released.ytc("release", "--skip-tests")
    assert result.returncode == 0, result.stdout + result.stderr
    for service in SERVICES:
        assert read_pin(Layout(released.root), released.root / service).version == following
        installed = dockerfile_pip_install(released, service, venvs[service], tmp_path)
        assert installed.returncode == 0, installed.stdout[-2000:]
        assert installed_version(venvs[service]) == following
    app = App(venvs[SERVICES[0]], released.root / SERVICES[0], redis.url)
    try:
        assert app.health()[1]["common_version"] == following
    finally:
        app.stop()
