"""`ytc-release fleet` against real services on loopback, one of them on an older pin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.support.net import http_get, wait_for_port
from tests.support.redis_server import RedisServer
from tests.support.workspace import Workspace, make_workspace
from ytc_release.paths import Layout
from ytc_release.services.pins import read_pin
from ytc_release.toolkit.ports import free_port

SERVICES = ["orchestrator", "services/youtube-search"]


def start_service(service_dir: Path, redis_url: str, log_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    # Logs go to the test's folder, never into the checkout.
    env = {**os.environ, "REDIS_URL": redis_url, "LOG_DIR": str(log_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=service_dir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, timeout=30)
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture
def fleet_on_loopback(tmp_path: Path, redis_server: RedisServer):
    procs, urls = [], []
    try:
        for service in SERVICES:
            proc, url = start_service(REPO_ROOT / service, redis_server.url, tmp_path / "logs" / service)
            procs.append(proc)
            urls.append(url)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def set_pin(ws: Workspace, service: str, version: str) -> None:
    req = ws.root / service / "requirements.txt"
    text = req.read_text()
    old = read_pin(Layout(ws.root), ws.root / service).version
    req.write_text(text.replace(f"ytcaption-common=={old}", f"ytcaption-common=={version}"))


def test_fleet_reports_the_service_running_another_version_than_its_pin(
    fleet_on_loopback: list[str], tmp_path: Path
) -> None:
    ws = make_workspace(REPO_ROOT, tmp_path)
    running = json.loads(http_get(f"{fleet_on_loopback[0]}/health")[1])["common_version"]
    set_pin(ws, SERVICES[0], running)
    set_pin(ws, SERVICES[1], "0.9.0")  # the repository moved this one back; its VM was not rebuilt
    unreachable = f"http://127.0.0.1:{free_port()}"
    hosts = tmp_path / "hosts"
    hosts.write_text(f"# the VMs\n{fleet_on_loopback[1]}\n{unreachable}\n")

    page = tmp_path / "fleet.html"
    result = ws.ytc("fleet", fleet_on_loopback[0], "--hosts", str(hosts), "--timeout", "3", "--html", str(page))

    assert result.returncode == 1, result.stdout + result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("http")}
    assert lines[fleet_on_loopback[0]].split()[1:] == ["orchestrator", running, running, "ok"]
    assert lines[fleet_on_loopback[1]].split()[1:] == ["youtube-search", running, "0.9.0", "DRIFT"]
    assert "UNREACHABLE" in lines[unreachable]
    assert "1 of 3 in line with their pins" in result.stdout
    html = page.read_text()  # the same rows as a page, each state in colour and words
    assert '<td class="state bad" data-label="State">DRIFT: runs ' + running + ", pins 0.9.0</td>" in html
    assert '<td class="state ok" data-label="State">OK: runs its pin</td>' in html and "UNREACHABLE: no answer" in html


def test_fleet_in_line_exits_zero(fleet_on_loopback: list[str], tmp_path: Path) -> None:
    ws = make_workspace(REPO_ROOT, tmp_path)
    running = json.loads(http_get(f"{fleet_on_loopback[0]}/health")[1])["common_version"]
    for service in SERVICES:
        set_pin(ws, service, running)
    result = ws.ytc("fleet", *fleet_on_loopback)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 of 2 in line with their pins" in result.stdout


def test_a_vm_that_does_not_speak_http_is_marked_not_a_traceback(redis_server: RedisServer, tmp_path: Path) -> None:
    ws = make_workspace(REPO_ROOT, tmp_path)
    result = ws.ytc("fleet", f"http://127.0.0.1:{redis_server.port}", "--timeout", "3")  # Redis answers, not HTTP
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "UNREACHABLE: no answer" in result.stdout


def test_fleet_without_urls_says_what_to_give(tmp_path: Path) -> None:
    ws = make_workspace(REPO_ROOT, tmp_path)
    result = ws.ytc("fleet", "--hosts", str(tmp_path / "missing"))
    assert result.returncode == 1
    assert "no such file" in result.stderr and "what to do:" in result.stderr
