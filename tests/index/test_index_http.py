"""The embedded index over HTTP: real server, real twine, real files."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.support.index import LiveIndex, make_wheel, start_index, twine_upload
from tests.support.net import free_port
from ytc_release.errors import IndexServerError
from ytc_release.index.client import project_files
from ytc_release.index.embedded import EmbeddedIndex
from ytc_release.toolkit import web as http

FALLBACK = "http://127.0.0.1:9/fallback-simple/"


@pytest.fixture(autouse=True)
def _fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTC_INDEX_FALLBACK_URL", FALLBACK)


def upload_form(path: Path) -> tuple[bytes, dict[str, str]]:
    boundary = "testboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name=":action"\r\n\r\nfile_upload\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="content"; filename="{path.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def listed_files(live: LiveIndex) -> list[Path]:
    return sorted(p for p in live.index.packages.iterdir() if not p.name.startswith("."))


def test_health_answers(live_index: LiveIndex) -> None:
    assert http.get(live_index.url + "health").status == 200


def test_anonymous_upload_is_refused_with_401_and_nothing_written(live_index: LiveIndex, tmp_path: Path) -> None:
    body, headers = upload_form(make_wheel(tmp_path))
    resp = http.request("POST", live_index.url, data=body, headers=headers)
    assert resp.status == 401
    assert listed_files(live_index) == []


def test_wrong_password_is_refused_with_403_and_nothing_written(live_index: LiveIndex, tmp_path: Path) -> None:
    user, _ = live_index.credentials
    result = twine_upload(live_index.url, [make_wheel(tmp_path)], user, "not-the-password")
    assert result.returncode != 0
    assert "403" in result.stdout + result.stderr
    assert listed_files(live_index) == []


def test_upload_is_listed_with_its_sha256_and_never_overwritten(live_index: LiveIndex, tmp_path: Path) -> None:
    user, password = live_index.credentials
    wheel = make_wheel(tmp_path / "a", payload=b"first")
    assert twine_upload(live_index.url, [wheel], user, password).returncode == 0
    files = project_files(live_index.target, "ytcaption-common")
    assert [(f.filename, f.sha256) for f in files] == [(wheel.name, hashlib.sha256(wheel.read_bytes()).hexdigest())]

    impostor = make_wheel(tmp_path / "b", payload=b"second, different bytes")
    again = twine_upload(live_index.url, [impostor], user, password)
    assert again.returncode != 0
    body, headers = upload_form(impostor)
    raw = http.request("POST", live_index.url, data=body, headers=headers, auth=(user, password))
    assert raw.status == 409
    served = http.get(files[0].url).body
    assert served == wheel.read_bytes()


def test_unknown_name_redirects_to_the_configured_fallback(live_index: LiveIndex) -> None:
    resp = http.get(live_index.url + "simple/six/")
    assert resp.status in (302, 303)
    assert resp.headers["Location"] == FALLBACK + "six/"


def test_reserved_name_never_redirects(live_index: LiveIndex) -> None:
    resp = http.get(live_index.url + "simple/ytcaption-not-yet-published/")
    assert resp.status == 404
    assert "never looked up upstream" in resp.text


def test_removed_private_project_answers_404_not_a_redirect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTC_INDEX_RESERVED", "")  # no pattern covers the name: only its history protects it
    monkeypatch.setenv("YTC_INDEX_ALLOW", "other-*")
    live = start_index(tmp_path / "index")
    try:
        wheel = make_wheel(live.index.packages, name="internal_tool")  # an operator placed it
        assert http.get(live.url + "simple/internal-tool/").status == 200
        wheel.unlink()  # an operator removes the files
        resp = http.get(live.url + "simple/internal-tool/")
        assert resp.status == 404, resp.headers.get("Location")
        # ... and for as long as the index lives: also after a restart.
        live.stop()
        live = start_index(tmp_path / "index")
        assert http.get(live.url + "simple/internal-tool/").status == 404
        assert http.get(live.url + "simple/six/").status in (302, 303)
    finally:
        live.stop()


def test_file_added_or_removed_on_disk_is_seen(live_index: LiveIndex, tmp_path: Path) -> None:
    assert http.get(live_index.url + "simple/ytcaption-common/").status == 404
    wheel = make_wheel(live_index.index.packages)  # an operator copies a file in
    files = project_files(live_index.target, "ytcaption-common")
    assert [f.filename for f in files] == [wheel.name]
    wheel.unlink()
    assert project_files(live_index.target, "ytcaption-common") == []


def test_index_up_twice_is_idempotent_and_down_up_keeps_packages(tmp_path: Path) -> None:
    port = free_port()
    index = EmbeddedIndex(tmp_path / "index")
    url, started = index.up(port)
    try:
        assert started
        pid = index.running()["pid"]
        url2, started2 = index.up(port)
        assert (url2, started2) == (url, False) and index.running()["pid"] == pid
        _, user, password = index.credentials()
        assert twine_upload(url, [make_wheel(tmp_path)], user, password).returncode == 0
        assert index.down() is True
        assert index.down() is False
        url3, started3 = index.up(port)
        assert started3
        assert http.get(url3 + "simple/ytcaption-common/").status == 200
        assert index.file_count() == 1
        assert oct(index.pypirc.stat().st_mode & 0o777) == "0o600"
        assert oct(index.htpasswd.stat().st_mode & 0o777) == "0o600"
        assert index.htpasswd.read_text().split(":", 1)[1].startswith("$2")  # bcrypt
    finally:
        index.down()


def test_stale_pid_file_is_cleaned_up(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path / "index")
    index.home.mkdir(parents=True)
    index.pid_file.write_text('{"pid": 999999, "port": 1, "url": "http://127.0.0.1:1/"}')
    assert index.running() is None
    assert not index.pid_file.exists()


def test_port_taken_by_another_program_gives_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(IndexServerError) as err:
            EmbeddedIndex(tmp_path / "index").up(port)
    assert f"port {port}" in err.value.problem
    assert "YTC_INDEX_PORT=" in err.value.fix


def test_an_upload_is_listed_on_the_next_request(live_index: LiveIndex, tmp_path: Path) -> None:
    page = live_index.url + "simple/ytcaption-common/"
    first = http.get(page)
    assert first.status == 404  # the empty project has been looked at (and its listing cached)
    user, password = live_index.credentials
    assert twine_upload(live_index.url, [make_wheel(tmp_path)], user, password).returncode == 0
    again = http.get(page)
    assert again.status == 200
    # One server process (waitress: one event loop, a thread pool) answers every request.
    assert again.headers["X-Index-Worker"] == first.headers["X-Index-Worker"]


def test_credentials_never_reach_the_log(live_index: LiveIndex, tmp_path: Path) -> None:
    user, password = live_index.credentials
    twine_upload(live_index.url, [make_wheel(tmp_path)], user, password)
    assert password not in live_index.index.log_file.read_text()
    assert os.stat(live_index.index.auth).st_mode & 0o077 == 0


def test_root_page_follows_uploads_and_removals(live_index: LiveIndex, tmp_path: Path) -> None:
    assert "ytcaption-common" not in http.get(live_index.url + "simple/").text
    wheel = make_wheel(live_index.index.packages, name="some_tool")
    assert 'href="some-tool/"' in http.get(live_index.url + "simple/").text
    wheel.unlink()
    assert "some-tool" not in http.get(live_index.url + "simple/").text


def test_listing_auth_is_enforced_on_every_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTC_INDEX_AUTHENTICATE", "update,list,download")
    live = start_index(tmp_path / "index")
    try:
        user, password = live.credentials
        assert twine_upload(live.url, [make_wheel(tmp_path)], user, password).returncode == 0
        for page in ("simple/", "simple/ytcaption-common/", "packages/ytcaption_common-1.0.0-py3-none-any.whl"):
            assert http.get(live.url + page).status == 401
            assert http.get(live.url + page, auth=(user, "wrong-password")).status == 403
            assert http.get(live.url + page, auth=(user, password)).status == 200
    finally:
        live.stop()


def test_downloads_serve_the_exact_bytes_and_defer_ranges_to_pypiserver(live_index: LiveIndex, tmp_path: Path) -> None:
    user, password = live_index.credentials
    wheel = make_wheel(tmp_path, payload=os.urandom(300_000))
    assert twine_upload(live_index.url, [wheel], user, password).returncode == 0
    url = live_index.url + "packages/" + wheel.name
    full = http.get(url)
    assert full.status == 200 and full.body == wheel.read_bytes()
    assert full.headers["Content-Length"] == str(wheel.stat().st_size)
    assert "Content-Encoding" not in full.headers
    head = http.request("HEAD", url)
    assert head.status == 200 and head.body == b"" and head.headers["Content-Length"] == str(wheel.stat().st_size)
    ranged = http.request("GET", url, headers={"Range": "bytes=0-99"})
    assert ranged.status == 206 and ranged.body == wheel.read_bytes()[:100]
    sub = live_index.index.packages / "team"
    sub.mkdir()
    nested = make_wheel(sub, name="nested_tool")
    assert http.get(live_index.url + "packages/team/" + nested.name).body == nested.read_bytes()
    assert http.get(live_index.url + "packages/nothing-1.0.tar.gz").status == 404


def test_a_damaged_pypirc_is_a_clear_error_and_deleting_it_recovers(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path / "index")
    index.ensure_credentials(free_port())
    index.pypirc.write_text("[distutils]\n")
    with pytest.raises(IndexServerError) as err:
        index.credentials()
    assert "lacks [ytcaption]" in err.value.problem and "delete" in err.value.fix
    index.pypirc.unlink()
    index.ensure_credentials(free_port())
    _, user, password = index.credentials()
    from ytc_release.index.accounts import list_users

    assert user == "publisher" and list_users(index.htpasswd) == ["publisher"] and len(password) >= 24
