"""Issue 13's attacks (F1-F5, F7-F10) against a real index process on loopback:
real twine where twine is the client, raw sockets where a client misbehaves."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.index import LiveIndex, make_sdist, make_wheel, multipart, start_index, twine_upload
from ytc_index.backend import INCOMING
from ytc_release.index.accounts import set_user
from ytc_release.index.client import project_files
from ytc_release.toolkit import web as http
from ytc_release.toolkit.runner import clean_pip_env

FALLBACK = "http://127.0.0.1:9/fallback-simple/"


@pytest.fixture(autouse=True)
def _fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTC_INDEX_FALLBACK_URL", FALLBACK)


def port_of(live: LiveIndex) -> int:
    return int(live.url.rsplit(":", 1)[1].strip("/"))


def on_disk(live: LiveIndex) -> list[str]:
    """Every entry of the package folder (the index's own state lives elsewhere; `.incoming`
    holds uploads being received, and must then be empty)."""
    incoming = live.index.packages / INCOMING
    assert not incoming.exists() or list(incoming.iterdir()) == []
    return sorted(p.name for p in live.index.packages.iterdir() if p.name != INCOMING)


def post(live: LiveIndex, filename: str, data: bytes, action: str = "file_upload", auth: object = "publisher"):
    body, headers = multipart(filename, data, action)
    creds = live.credentials if auth == "publisher" else auth
    return http.request("POST", live.url, data=body, headers=headers, auth=creds)  # type: ignore[arg-type]


def ytc_index(live: LiveIndex, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("index", *args, "--packages", str(live.index.packages))


# -- F1: nothing deletes or replaces a released file over HTTP ---------------------------------------


def test_remove_pkg_and_doc_upload_are_refused_and_the_release_stays(live_index: LiveIndex, tmp_path: Path) -> None:
    user, password = live_index.credentials
    wheel = make_wheel(tmp_path)
    assert twine_upload(live_index.url, [wheel], user, password).returncode == 0
    body = (
        b'--b\r\nContent-Disposition: form-data; name=":action"\r\n\r\nremove_pkg\r\n'
        b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nytcaption-common\r\n'
        b'--b\r\nContent-Disposition: form-data; name="version"\r\n\r\n1.0.0\r\n--b--\r\n'
    )
    removed = http.request(
        "POST",
        live_index.url,
        data=body,
        headers={"Content-Type": "multipart/form-data; boundary=b"},
        auth=(user, password),
    )
    assert removed.status == 403 and "immutable" in removed.text and "ytc-release index remove" in removed.text
    docs = post(live_index, "docs.zip", b"PK\x05\x06" + bytes(18), action="doc_upload")
    assert docs.status == 403
    # `verify` stays a no-op login check (the release preflight uses it); it stores nothing.
    assert post(live_index, wheel.name, b"", action="verify").status == 200
    assert http.get(live_index.url + "packages/" + wheel.name).body == wheel.read_bytes()
    impostor = make_wheel(tmp_path / "other", payload=b"different bytes")
    assert twine_upload(live_index.url, [impostor], user, password).returncode != 0
    assert http.get(live_index.url + "packages/" + wheel.name).body == wheel.read_bytes()


def test_operator_remove_is_logged_beside_the_packages_and_burns_the_version(
    live_index: LiveIndex, tmp_path: Path
) -> None:
    user, password = live_index.credentials
    files = [make_wheel(tmp_path), make_sdist(tmp_path)]
    assert twine_upload(live_index.url, files, user, password).returncode == 0
    done = ytc_index(live_index, "remove", "ytcaption-common", "1.0.0", "--reason", "broken build")
    assert done.returncode == 0, done.stderr
    assert on_disk(live_index) == []
    assert project_files(live_index.target, "ytcaption-common") == []
    log = live_index.index.packages.parent / "operations.log"
    (entry,) = [json.loads(line) for line in log.read_text().splitlines()]
    assert entry["act"] == "remove" and entry["reason"] == "broken build" and len(entry["files"]) == 2
    # The version is never reused: a hash pinned anywhere never meets other bytes.
    again = post(live_index, files[0].name, make_wheel(tmp_path / "new", payload=b"new").read_bytes())
    assert again.status == 409 and "never reused" in again.text
    assert twine_upload(live_index.url, [make_wheel(tmp_path / "v2", version="1.0.1")], user, password).returncode == 0
    missing = ytc_index(live_index, "remove", "ytcaption-common", "9.9.9")
    assert missing.returncode == 1 and "has no files" in missing.stderr


def pip_download(live: LiveIndex, requirement: str, dest: Path) -> list[str]:
    """What a real pip picks from the index (download only, the machine's pip config neutralised)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--index-url",
            live.url + "simple/",
            "-d",
            str(dest),
            requirement,
        ],
        env=clean_pip_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return sorted(p.name for p in dest.iterdir())


def test_operator_yank_marks_the_listing_pep_592(live_index: LiveIndex, tmp_path: Path) -> None:
    user, password = live_index.credentials
    old, new = make_wheel(tmp_path), make_wheel(tmp_path, version="1.0.1")
    assert twine_upload(live_index.url, [old, new], user, password).returncode == 0
    assert ytc_index(live_index, "yank", "ytcaption-common", "1.0.1", "--reason", "leaks <memory>").returncode == 0
    page = http.get(live_index.url + "simple/ytcaption-common/").text
    assert f'data-yanked="leaks &lt;memory&gt;">{new.name}</a>' in page
    assert f'">{old.name}</a>' in page and page.count("data-yanked") == 1
    # Real pip: skips the yanked version, unless it is pinned exactly.
    assert pip_download(live_index, "ytcaption-common", tmp_path / "any") == [old.name]
    assert pip_download(live_index, "ytcaption-common==1.0.1", tmp_path / "pinned") == [new.name]
    assert ytc_index(live_index, "yank", "ytcaption-common", "1.0.1", "--undo").returncode == 0
    assert "data-yanked" not in http.get(live_index.url + "simple/ytcaption-common/").text
    acts = [
        json.loads(x)["act"] for x in (live_index.index.packages.parent / "operations.log").read_text().splitlines()
    ]
    assert acts == ["yank", "unyank"]


# -- F2: a released version accepts no further file ---------------------------------------------------


def test_a_release_is_one_wheel_and_one_sdist_and_then_closed(live_index: LiveIndex, tmp_path: Path) -> None:
    user, password = live_index.credentials
    wheel, sdist = make_wheel(tmp_path), make_sdist(tmp_path)
    assert twine_upload(live_index.url, [wheel], user, password).returncode == 0
    assert twine_upload(live_index.url, [sdist], user, password).returncode == 0  # the other half: accepted
    for impostor in (
        make_wheel(tmp_path / "tag", tag="cp311-cp311-manylinux_2_17_x86_64"),
        make_wheel(tmp_path / "build", build_tag="1"),
    ):
        result = twine_upload(live_index.url, [impostor], user, password)
        assert result.returncode != 0 and "409" in result.stdout + result.stderr
        raw = post(live_index, impostor.name, impostor.read_bytes())
        assert raw.status == 409 and "released and closed" in raw.text and "bump" in raw.text
    files = sorted(f.filename for f in project_files(live_index.target, "ytcaption-common"))
    assert files == sorted([wheel.name, sdist.name])


def test_the_other_half_from_another_account_or_a_second_wheel_is_refused(
    live_index: LiveIndex, tmp_path: Path
) -> None:
    set_user(live_index.index.htpasswd, "other-ci", "other-password-123", role="publisher")
    user, password = live_index.credentials
    assert twine_upload(live_index.url, [make_wheel(tmp_path)], user, password).returncode == 0
    second = make_wheel(tmp_path / "x", tag="py311-none-any")
    raw = post(live_index, second.name, second.read_bytes())
    assert raw.status == 409 and "already holds a wheel" in raw.text
    sdist = make_sdist(tmp_path)
    other = post(live_index, sdist.name, sdist.read_bytes(), auth=("other-ci", "other-password-123"))
    assert other.status == 409 and "another account" in other.text


def test_racing_uploads_to_one_version_have_exactly_one_winner(live_index: LiveIndex, tmp_path: Path) -> None:
    tags = ["py3-none-any", "py311-none-any", "py39-none-any", "cp311-cp311-linux_x86_64"] * 2
    wheels = [make_wheel(tmp_path / str(i), tag=tag, payload=str(i).encode()) for i, tag in enumerate(tags)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda w: post(live_index, w.name, w.read_bytes()).status, wheels))
    assert sorted(statuses) == [200] + [409] * 7, statuses
    assert len([n for n in on_disk(live_index) if n.endswith(".whl")]) == 1


def test_a_release_closes_after_its_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTC_INDEX_RELEASE_WINDOW", "1")
    live = start_index(tmp_path / "index")
    try:
        user, password = live.credentials
        assert twine_upload(live.url, [make_wheel(tmp_path)], user, password).returncode == 0
        time.sleep(1.5)
        sdist = make_sdist(tmp_path)
        late = post(live, sdist.name, sdist.read_bytes())
        assert late.status == 409 and "older than 1 s" in late.text
    finally:
        live.stop()


# -- F3 and metadata: only our names, and files that are what their names say ----------------------


def test_a_wheel_shadowing_a_public_name_is_refused(live_index: LiveIndex, tmp_path: Path) -> None:
    user, password = live_index.credentials
    shadow = make_wheel(tmp_path, name="fastapi", version="0.165.0")
    result = twine_upload(live_index.url, [shadow], user, password)
    assert result.returncode != 0 and "403" in result.stdout + result.stderr
    raw = post(live_index, shadow.name, shadow.read_bytes())
    assert raw.status == 403 and "YTC_INDEX_ALLOW" in raw.text
    assert on_disk(live_index) == []
    resp = http.get(live_index.url + "simple/fastapi/")  # still the public package
    assert resp.status in (302, 303) and resp.headers["Location"] == FALLBACK + "fastapi/"


def test_the_allow_list_admits_an_extra_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTC_INDEX_ALLOW", "internal-*")
    live = start_index(tmp_path / "index")
    try:
        user, password = live.credentials
        assert twine_upload(live.url, [make_wheel(tmp_path, name="internal_tool")], user, password).returncode == 0
        assert http.get(live.url + "simple/internal-not-yet/").status == 404  # allowed names never go upstream
        assert post(live, "other_tool-1.0.0-py3-none-any.whl", b"x").status == 403
    finally:
        live.stop()


def test_metadata_must_agree_with_the_filename(live_index: LiveIndex, tmp_path: Path) -> None:
    renamed = make_wheel(tmp_path / "w", version="1.0.0", metadata_version="9.9.9")
    resp = post(live_index, renamed.name, renamed.read_bytes())
    assert resp.status == 400 and "metadata says ytcaption-common 9.9.9" in resp.text
    sdist = make_sdist(tmp_path / "s", metadata_version="2.0.0")
    resp = post(live_index, sdist.name, sdist.read_bytes())
    assert resp.status == 400 and "rebuild" in resp.text
    other_name = make_wheel(tmp_path / "n", name="ytcaption_other")
    moved = other_name.rename(tmp_path / "ytcaption_common-1.0.0-py3-none-any.whl")
    assert post(live_index, moved.name, moved.read_bytes()).status == 400
    assert on_disk(live_index) == []


# -- F4: complete uploads only -------------------------------------------------------------------------


def _raw_upload_head(live: LiveIndex, body_length: int) -> bytes:
    user, password = live.credentials
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {token}\r\n"
        f"Content-Type: multipart/form-data; boundary=testboundary\r\nContent-Length: {body_length}\r\n\r\n"
    ).encode()


def test_a_client_closing_mid_body_leaves_nothing_and_the_retry_works(live_index: LiveIndex, tmp_path: Path) -> None:
    user, password = live_index.credentials
    wheel = make_wheel(tmp_path, payload=os.urandom(2 * 1024 * 1024))
    body, _ = multipart(wheel.name, wheel.read_bytes())
    with socket.create_connection(("127.0.0.1", port_of(live_index)), timeout=10) as sock:
        sock.sendall(_raw_upload_head(live_index, len(body)) + body[: len(body) // 2])
        sock.shutdown(socket.SHUT_WR)  # the client is gone at 50 %
        answer = sock.recv(4096)
    # waitress never hands an incomplete request to the application: no answer, or a 400.
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:80]
    time.sleep(0.3)
    assert on_disk(live_index) == []
    assert project_files(live_index.target, "ytcaption-common") == []
    assert twine_upload(live_index.url, [wheel], user, password).returncode == 0
    assert http.get(live_index.url + "packages/" + wheel.name).body == wheel.read_bytes()


def test_a_body_without_its_closing_boundary_is_refused(live_index: LiveIndex, tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path)
    body, headers = multipart(wheel.name, wheel.read_bytes())
    cut = body[: body.rindex(b"\r\n--testboundary--")]  # the whole file, but no closing boundary
    resp = http.request("POST", live_index.url, data=cut, headers=headers, auth=live_index.credentials)
    assert resp.status == 400 and "closing boundary" in resp.text
    truncated = body[: len(body) // 2] + b"\r\n--testboundary--\r\n"  # closed, but the zip is cut
    resp = http.request("POST", live_index.url, data=truncated, headers=headers, auth=live_index.credentials)
    assert resp.status == 400 and "not a valid wheel" in resp.text
    assert on_disk(live_index) == []


def test_stale_temp_files_are_removed_at_start(tmp_path: Path) -> None:
    live = start_index(tmp_path / "index")
    live.stop()
    (live.index.packages / ".upload-killedworker.part").write_bytes(b"half a wheel")
    live = start_index(tmp_path / "index")
    try:
        assert on_disk(live) == []
        assert "removed the partial upload .upload-killedworker.part" in live.index.log_file.read_text()
    finally:
        live.stop()


# -- F5: slow clients cannot take the index down -------------------------------------------------------


def test_200_slow_connections_do_not_stop_a_normal_client(live_index: LiveIndex, tmp_path: Path) -> None:
    user, password = live_index.credentials
    wheel = make_wheel(tmp_path)
    assert twine_upload(live_index.url, [wheel], user, password).returncode == 0
    port = port_of(live_index)
    slow: list[socket.socket] = []
    try:
        for i in range(200):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i % 2:
                sock.sendall(b"GET /simple/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # headers never end
            else:
                sock.sendall(_raw_upload_head(live_index, 10_000_000) + b"--testboundary\r\n")  # a body that stalls
            slow.append(sock)
        started = time.monotonic()
        resp = http.get(live_index.url + "simple/ytcaption-common/", timeout=10)
        elapsed = time.monotonic() - started
        print(f"\nwith {len(slow)} slow connections open, a normal request took {elapsed * 1000:.1f} ms")
        assert resp.status == 200 and wheel.name in resp.text  # answered (the time is recorded above)
        download = http.get(live_index.url + "packages/" + wheel.name, timeout=10)
        assert download.body == wheel.read_bytes()
    finally:
        for sock in slow:
            sock.close()


def test_a_stalled_client_is_disconnected_after_the_channel_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTC_INDEX_CHANNEL_TIMEOUT", "2")
    live = start_index(tmp_path / "index")
    try:
        for what, opening in (
            ("header", b"GET /simple/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"),
            ("body", _raw_upload_head(live, 1_000_000) + b"--testboundary\r\n"),
        ):
            with socket.create_connection(("127.0.0.1", port_of(live)), timeout=15) as sock:
                sock.sendall(opening)  # and nothing more
                started = time.monotonic()
                assert sock.recv(4096) == b""  # the server hung up on it
                waited = time.monotonic() - started
            print(f"\na stalled {what} was dropped after {waited:.1f} s (channel_timeout 2 s)")
            assert waited < 14
        assert on_disk(live) == []
    finally:
        live.stop()


# -- F7: settings that would make uploads anonymous refuse to start ---------------------------------


@pytest.mark.parametrize("value", ["list,download", "", "  ", "download"])
def test_settings_without_upload_auth_refuse_to_start(tmp_path: Path, value: str) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "YTC_INDEX_AUTHENTICATE": value,
        "YTC_INDEX_PACKAGES": str(tmp_path / "p"),
        "YTC_INDEX_HTPASSWD": str(tmp_path / "htpasswd"),
        "YTC_INDEX_PORT": "9",
    }
    result = subprocess.run(
        [sys.executable, "-m", "ytc_index"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert "refusing to start" in result.stderr and "anonymous" in result.stderr and "update" in result.stderr


# -- F8: password guessing is braked and does not starve reads --------------------------------------


def test_failed_logins_are_throttled_without_starving_reads(live_index: LiveIndex, tmp_path: Path) -> None:
    user, password = live_index.credentials
    wheel = make_wheel(tmp_path)
    assert twine_upload(live_index.url, [wheel], user, password).returncode == 0  # verified once: cached
    body, headers = multipart(wheel.name, b"")

    def guess(i: int) -> int:
        return http.request("POST", live_index.url, data=body, headers=headers, auth=(user, f"guess-{i}")).status

    started = time.monotonic()
    reads, read_times = [], []
    with ThreadPoolExecutor(16) as pool:
        flood = pool.map(guess, range(48))
        for _ in range(5):  # reads while the guesses run
            t0 = time.monotonic()
            reads.append(http.get(live_index.url + "simple/ytcaption-common/"))
            read_times.append(time.monotonic() - t0)
        statuses = list(flood)
    elapsed = time.monotonic() - started
    print(
        f"\n48 wrong passwords from 16 clients: {elapsed:.2f} s, statuses {sorted(set(statuses))}, "
        f"{statuses.count(429)} refused with 429; reads meanwhile: max {max(read_times) * 1000:.0f} ms"
    )
    assert set(statuses) <= {403, 429} and statuses.count(403) <= 10  # at most 10 failures per window reach bcrypt
    assert all(r.status == 200 for r in reads)
    sequential = [
        http.request("POST", live_index.url, data=body, headers=headers, auth=(user, f"more-{i}")) for i in range(11)
    ]
    blocked = sequential[-1]  # by now this address has had its 10 failures
    assert blocked.status == 429 and int(blocked.headers["Retry-After"]) >= 1 and "wait" in blocked.text
    # The publisher's verified credentials still work from the same address.
    sdist = make_sdist(tmp_path)
    assert post(live_index, sdist.name, sdist.read_bytes()).status == 200


# -- F9: malformed requests get 4xx, never 500 ---------------------------------------------------------


def test_malformed_uploads_get_4xx_and_store_nothing(live_index: LiveIndex, tmp_path: Path) -> None:
    good = make_wheel(tmp_path).read_bytes()
    cases = {
        "NUL in the filename": ("ytcaption_common-1.0.0-py3-none-any\x00.whl", good),
        "a name over 255 bytes": ("ytcaption_common-1.0.0-" + "x" * 300 + "-py3-none-any.whl", good),
        "a hidden name": (".ytcaption_common-1.0.0-py3-none-any.whl", good),
        "a path": ("../ytcaption_common-1.0.0-py3-none-any.whl", good),
        "a zero-byte wheel": ("ytcaption_common-1.0.0-py3-none-any.whl", b""),
        "a non-zip wheel": ("ytcaption_common-1.0.0-py3-none-any.whl", b"this is not a zip file" * 10),
        "a broken tar.gz": ("ytcaption_common-1.0.0.tar.gz", b"\x1f\x8b\x08\x00broken"),
        "an egg": ("ytcaption_common-1.0.0-py3.11.egg", good),
        "no version": ("ytcaption_common.whl", good),
    }
    for what, (filename, data) in cases.items():
        resp = post(live_index, filename, data)
        assert 400 <= resp.status < 500, (what, resp.status, resp.text)
    user, password = live_index.credentials
    for headers, body in (
        ({"Content-Type": "multipart/form-data"}, b"--x\r\n\r\n--x--\r\n"),  # no boundary
        ({"Content-Type": "multipart/form-data; boundary=\u00e9\u00e9"}, b"--x--\r\n"),  # not ASCII
        ({"Content-Type": "application/json"}, b"{}"),
        ({"Content-Type": "multipart/form-data; boundary=x"}, b"garbage"),
        ({"Content-Type": "multipart/form-data; boundary=x"}, b""),
        ({"Content-Type": "multipart/form-data; boundary=x"}, b"--x\r\nno separator--x--\r\n"),
    ):
        resp = http.request("POST", live_index.url, data=body, headers=headers, auth=(user, password))
        assert 400 <= resp.status < 500, (headers, body, resp.status)
    assert on_disk(live_index) == []
    assert http.get(live_index.url + "simple/ytcaption-common/").status == 404


# -- F10: with read auth, no name-dependent answer before the login --------------------------------


def test_read_auth_answers_401_before_any_name_dependent_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTC_INDEX_AUTHENTICATE", "update,list,download")
    live = start_index(tmp_path / "index")
    try:
        user, password = live.credentials
        assert twine_upload(live.url, [make_wheel(tmp_path)], user, password).returncode == 0
        for page in ("simple/ytcaption-common/", "simple/ytcaption-secret/", "simple/six/", "packages/nothing.whl"):
            resp = http.get(live.url + page)
            assert resp.status == 401 and resp.headers["WWW-Authenticate"].startswith("Basic"), page
        assert http.get(live.url + "simple/ytcaption-secret/", auth=(user, password)).status == 404
        assert http.get(live.url + "health").status == 200
    finally:
        live.stop()
