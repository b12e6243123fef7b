"""nginx in front of the index, running index/nginx/ytc-index.conf.template (the file
docker-compose.index.yml mounts) on loopback: reads come from the static tree, the
private-name guard holds, and real pip and uv install through it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.index import LiveIndex, make_sdist, start_index, twine_upload
from tests.support.nginx import NginxProcess
from tests.support.simple_api import (
    HTML_V1,
    JSON_V1,
    PIP_ACCEPT,
    check_project,
    check_root,
    get_page,
    make_wheel_with,
    pip_install,
    uv_install,
)
from tests.support.venvs import make_venv, pip_version, run_python
from ytc_release.toolkit import web as http

FALLBACK = "http://127.0.0.1:9/fallback-simple/"
PROJECT = "ytcaption-common"


@dataclass
class Stack:
    index: LiveIndex
    nginx: NginxProcess
    published: dict[str, bytes]


def _start(tmp: Path, authenticate: str) -> Iterator[Stack]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("YTC_INDEX_FALLBACK_URL", FALLBACK)
        env.setenv("YTC_INDEX_AUTHENTICATE", authenticate)
        live = start_index(tmp / "index")
    nginx = NginxProcess(tmp / "nginx", live.index.home, live.url.removeprefix("http://").rstrip("/"))
    try:
        nginx.start()
        files = [
            make_wheel_with(tmp / "a", "ytcaption_common", "1.0.0", ">=3.8"),
            make_sdist(tmp / "a"),
            make_wheel_with(tmp / "b", "ytcaption_common", "1.0.1", ">=3.99"),
        ]
        user, password = live.credentials
        result = twine_upload(nginx.url, files, user, password)  # uploads pass through nginx to the app
        assert result.returncode == 0, result.stdout + result.stderr
        yield Stack(live, nginx, {f.name: f.read_bytes() for f in files})
    finally:
        nginx.stop()
        live.stop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from _start(tmp_path_factory.mktemp("nginx-open"), "update")


def test_pages_through_nginx_follow_the_standards(stack: Stack) -> None:
    check_project(stack.nginx.url, PROJECT, stack.published)
    check_root(stack.nginx.url, {PROJECT})


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "text/html,application/xhtml+xml,*/*;q=0.8",
        PIP_ACCEPT,
        "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01",  # uv
        "application/vnd.pypi.simple.latest+json",
        HTML_V1,
        f"{JSON_V1};q=0.5",
        "application/json",
    ],
)
@pytest.mark.parametrize("page", ["simple/", f"simple/{PROJECT}/"])
def test_nginx_answers_what_the_python_server_answers(stack: Stack, accept: str | None, page: str) -> None:
    direct = get_page(stack.index.url + page, accept)
    proxied = get_page(stack.nginx.url + page, accept)
    assert proxied.status == direct.status
    if direct.status == 200:
        assert proxied.headers["Content-Type"] == direct.headers["Content-Type"]
        assert proxied.body == direct.body
        assert "Accept" in proxied.headers.get("Vary", "")


def test_format_query_and_head(stack: Stack) -> None:
    url = stack.nginx.url + f"simple/{PROJECT}/"
    for query in (JSON_V1, JSON_V1.replace("+", "%2B").replace("/", "%2F")):
        forced = http.get(url + "?format=" + query)
        assert forced.status == 200 and forced.headers["Content-Type"] == JSON_V1
        assert http.get(stack.index.url + f"simple/{PROJECT}/?format=" + query).body == forced.body
    head = http.request("HEAD", url, headers={"Accept": PIP_ACCEPT})
    assert head.status == 200 and head.body == b"" and head.headers["Content-Type"] == JSON_V1


def test_private_public_and_odd_names_through_nginx(stack: Stack) -> None:
    private = get_page(stack.nginx.url + "simple/ytcaption-not-published/", PIP_ACCEPT)
    assert private.status == 404 and "never looked up upstream" in private.text
    public = get_page(stack.nginx.url + "simple/six/", PIP_ACCEPT)
    assert public.status in (302, 303) and public.headers["Location"] == FALLBACK + "six/"
    odd = get_page(stack.nginx.url + "simple/YTCaption_Common/", PIP_ACCEPT)
    assert odd.status == 301 and odd.headers["Location"].endswith(f"/simple/{PROJECT}/")
    assert get_page(stack.nginx.url + "packages/.upload-x.part", None).status == 404
    assert http.get(stack.nginx.url + "health").status == 200


def test_pages_for_people_come_from_the_static_tree(stack: Stack) -> None:
    """nginx answers / and /project/<name>/ with the files the app wrote, as the app itself does."""
    static = stack.index.index.home / "static" / "project"
    for page, path in (("", static / "index.html"), (f"project/{PROJECT}/", static / PROJECT / "index.html")):
        answer = http.get(stack.nginx.url + page)
        assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/html")
        assert answer.body == path.read_bytes() == http.get(stack.index.url + page).body
    assert "X-Index-Worker" not in http.get(stack.nginx.url + f"project/{PROJECT}/").headers  # not proxied
    assert b"1.0.1" in path.read_bytes() and b"ytcaption-common==1.0.1" in path.read_bytes()
    # Not normalised: the app redirects; never published: the app's 404, never upstream.
    odd = http.get(stack.nginx.url + "project/YTCaption_Common/")
    assert odd.status == 301 and odd.headers["Location"].endswith(f"/project/{PROJECT}/")
    assert http.get(stack.nginx.url + "project/ytcaption-not-published/").status == 404


def test_downloads_and_ranges_come_from_the_volume(stack: Stack) -> None:
    name, data = next((n, d) for n, d in stack.published.items() if n.endswith(".whl"))
    url = stack.nginx.url + "packages/" + name
    assert http.get(url).body == data
    ranged = http.request("GET", url, headers={"Range": "bytes=0-9"})
    assert ranged.status == 206 and ranged.body == data[:10]


def test_real_pip_and_uv_install_through_nginx(stack: Stack, tmp_path: Path) -> None:
    index_url = stack.nginx.url + "simple/"
    for installer in ("pip", "uv"):
        python = make_venv(tmp_path / installer)
        if installer == "pip":
            result = pip_install(python, index_url, "-v", PROJECT)
            if pip_version(python) >= (23, 2):  # PEP 714's core-metadata; older pips fetch the wheel
                assert "whl.metadata" in result.stdout
        else:
            result = uv_install(Path(sys.executable).parent / "uv", python, index_url, PROJECT)
        assert result.returncode == 0, result.stdout + result.stderr
        assert run_python(python, "import ytcaption_common; print(ytcaption_common.__version__)") == "1.0.0"


def test_reads_that_need_a_login_are_checked_by_the_app(tmp_path: Path) -> None:
    for locked in _start(tmp_path, "update,list,download"):
        user, password = locked.index.credentials
        wheel = next(n for n in locked.published if n.endswith(".whl"))
        pages = (
            "",
            f"project/{PROJECT}/",
            "simple/",
            f"simple/{PROJECT}/",
            f"packages/{wheel}",
            f"packages/{wheel}.metadata",
        )
        for page in pages:
            anonymous = http.get(locked.nginx.url + page)
            assert anonymous.status == 401 and "Basic" in anonymous.headers.get("WWW-Authenticate", "")
            assert http.get(locked.nginx.url + page, auth=(user, "wrong-password")).status == 403
            assert http.get(locked.nginx.url + page, auth=(user, password)).status == 200
        # A private name is 401 before it is 404: nothing tells an anonymous client which names exist.
        assert http.get(locked.nginx.url + "simple/ytcaption-not-published/").status == 401
        assert http.get(locked.nginx.url + "project/ytcaption-not-published/").status == 401
        for page in ("", f"project/{PROJECT}/"):  # the embedded index (no nginx) keeps them behind the login too
            assert http.get(locked.index.url + page).status == 401
            assert http.get(locked.index.url + page, auth=(user, password)).status == 200
