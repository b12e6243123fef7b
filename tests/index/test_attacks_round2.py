"""Issue 21's attacks (the index under attack, round two) against a real index process on
loopback and, where nginx is involved, a real nginx running index/nginx/ytc-index.conf.template.
Servers are module-scoped: each test uses its own versions or names."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.index import LiveIndex, make_wheel, multipart, start_index, twine_upload
from tests.support.nginx import NginxProcess
from ytc_release.index.client import project_files
from ytc_release.toolkit import web as http
from ytc_release.toolkit.runner import clean_pip_env

FALLBACK = "http://127.0.0.1:9/fallback-simple/"
PROJECT = "ytcaption-common"


@dataclass
class Stack:
    index: LiveIndex
    nginx: NginxProcess

    @property
    def urls(self) -> tuple[str, str]:
        """The Python server, then nginx in front of it: every attack is tried on both."""
        return self.index.url, self.nginx.url


def start_stack(tmp: Path, authenticate: str, **env: str) -> Stack:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("YTC_INDEX_FALLBACK_URL", FALLBACK)
        patch.setenv("YTC_INDEX_AUTHENTICATE", authenticate)
        for name, value in env.items():
            patch.setenv(name, value)
        live = start_index(tmp / "index")
    nginx = NginxProcess(tmp / "nginx", live.index.home, live.url.removeprefix("http://").rstrip("/"), authenticate)
    try:
        nginx.start()
    except BaseException:
        live.stop()
        raise
    return Stack(live, nginx)


def stop_stack(stack: Stack) -> None:
    stack.nginx.stop()
    stack.index.stop()


@pytest.fixture(scope="module")
def open_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = start_stack(tmp_path_factory.mktemp("round2-open"), "update")
    yield stack
    stop_stack(stack)


def post(url: str, creds: tuple[str, str] | None, filename: str, data: bytes) -> http.Response:
    body, headers = multipart(filename, data)
    return http.request("POST", url, data=body, headers=headers, auth=creds)


def pip_download(index_url: str, requirement: str, dest: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--index-url", index_url, "-d", str(dest), requirement],
        env=clean_pip_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return sorted(p.name for p in dest.iterdir())


# -- row 1: a release is keyed by its PEP 440 version; local versions are refused ---------------------


def test_equal_versions_are_one_release_and_local_versions_are_refused(open_stack: Stack, tmp_path: Path) -> None:
    creds = open_stack.index.credentials
    released = make_wheel(tmp_path / "released", version="2.0.0")
    assert twine_upload(open_stack.nginx.url, [released], *creds).returncode == 0
    for url in open_stack.urls:
        for spelling in ("2.0", "2", "2.0.0.0", "02.0.0"):
            equal = make_wheel(tmp_path / spelling, version=spelling, payload=b"evil")
            resp = post(url, creds, equal.name, equal.read_bytes())
            assert resp.status == 409 and "released and closed" in resp.text, (url, spelling, resp.text)
        local = make_wheel(tmp_path / "local", version="2.0.0+evil2", payload=b"evil")
        resp = post(url, creds, local.name, local.read_bytes())
        assert resp.status == 400 and "local version" in resp.text, (url, resp.text)
    files = [f.filename for f in project_files(open_stack.index.target, PROJECT) if "2.0" in f.filename]
    assert files == [released.name]
    assert pip_download(open_stack.nginx.url + "simple/", f"{PROJECT}==2.0.0", tmp_path / "dl") == [released.name]


def test_status_lists_files_whose_names_are_percent_encoded_on_the_page(open_stack: Stack, tmp_path: Path) -> None:
    # An operator may still copy such a file in by hand; the page quotes its `+` as %2B.
    placed = make_wheel(tmp_path, version="3.0.0+build7")
    shutil.copy(placed, open_stack.index.index.packages / placed.name)
    names = [f.filename for f in project_files(open_stack.index.target, PROJECT)]
    assert placed.name in names
