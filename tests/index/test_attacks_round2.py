"""Issue 21's attacks (the index under attack, round two) against a real index process on
loopback and, where nginx is involved, a real nginx running index/nginx/ytc-index.conf.template.
Servers are module-scoped: each test uses its own versions or names."""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.support.index import LiveIndex, make_wheel, multipart, start_index, twine_upload
from tests.support.nginx import NginxProcess
from tests.support.simple_api import JSON_V1
from ytc_release.index.accounts import set_user
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
    nginx = NginxProcess(tmp / "nginx", live.index.home, live.url.removeprefix("http://").rstrip("/"))
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
    stack = start_stack(
        tmp_path_factory.mktemp("round2-open"),
        "update",
        # Small limits keep the attack files small; upstream's library installs `common`.
        YTC_INDEX_MAX_METADATA_KB="64",
        YTC_INDEX_MAX_UNPACKED_MB="8",
        YTC_INDEX_OWNED_NAMES="ytcaption-common=ytcaption_common:common",
    )
    yield stack
    stop_stack(stack)


def post(url: str, creds: tuple[str, str] | None, filename: str, data: bytes) -> http.Response:
    body, headers = multipart(filename, data)
    return http.request("POST", url, data=body, headers=headers, auth=creds)


def _upload_one(stack: Stack, tmp: Path, version: str) -> Path:
    wheel = make_wheel(tmp, version=version)
    assert twine_upload(stack.nginx.url, [wheel], *stack.index.credentials).returncode == 0
    return wheel


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


# -- shared helpers for the raw attacks ------------------------------------------------------------------


def host_port(url: str) -> tuple[str, int]:
    netloc = urlsplit(url).netloc
    host, _, port = netloc.rpartition(":")
    return host, int(port)


def raw_exchange(url: str, payload: bytes, timeout: float = 20, head_only: bool = False) -> bytes:
    """Send `payload` on one connection and read until the server closes (or, `head_only`,
    until the first answer's head has arrived: a server may hold the connection open)."""
    with socket.create_connection(host_port(url), timeout=timeout) as sock:
        sock.sendall(payload)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
            if head_only and b"\r\n\r\n" in received:
                break
    return received


def request_as(source: str, method: str, url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    """One request from loopback address `source` (another client, as nginx sees it), its path
    sent exactly as written (`..`, `//` and %-escapes included, like `curl --path-as-is`)."""
    host, port = host_port(url)
    conn = HTTPConnection(host, port, timeout=20, source_address=(source, 0))
    try:
        target = urlsplit(url)
        conn.request(method, target.path + (f"?{target.query}" if target.query else ""), headers=headers or {})
        resp = conn.getresponse()
        resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


# -- row 3: no answer to a HEAD carries a body ----------------------------------------------------------


def test_head_answers_carry_no_body_so_the_next_answer_on_the_connection_is_whole(open_stack: Stack) -> None:
    heads = [
        ("/simple/ytcaption-never-published/", "*/*"),  # the private-name guard's text
        ("/simple/Ytcaption_Common/", "*/*"),  # the PEP 503 redirect
        ("/simple/six/", "*/*"),  # the public redirect
        (f"/simple/{PROJECT}/", "application/json"),  # 406
        ("/packages/nothing-here.whl", "*/*"),
    ]
    for url in open_stack.urls:
        payload = b"".join(
            f"HEAD {path} HTTP/1.1\r\nHost: x\r\nAccept: {accept}\r\n\r\n".encode() for path, accept in heads * 3
        )
        payload += b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        answers = raw_exchange(url, payload).split(b"\r\n\r\n")
        # Each HEAD's head is followed directly by the next status line: no stray body bytes.
        assert len(answers) == len(heads) * 3 + 2, (url, answers[:4])
        assert all(part.startswith(b"HTTP/1.1 ") for part in answers[:-1]), (url, answers)
        assert answers[-2].startswith(b"HTTP/1.1 200")


# -- row 11: symlinks in packages/ are never listed or served ----------------------------------------------


def test_symlinks_in_the_package_folder_are_neither_listed_nor_served(open_stack: Stack, tmp_path: Path) -> None:
    _upload_one(open_stack, tmp_path, "11.0.0")
    packages = open_stack.index.index.packages
    (packages / "ytcaption_common-9.9.9.tar.gz").symlink_to("../auth/pypirc")
    (packages / "etc").symlink_to("/etc")
    try:
        for url in open_stack.urls:
            page = http.get(url + f"simple/{PROJECT}/")
            assert page.status == 200 and "9.9.9" not in page.text
            assert http.get(url + "packages/ytcaption_common-9.9.9.tar.gz").status == 404, url
            assert http.get(url + "packages/etc/hostname").status == 404, url
    finally:
        (packages / "ytcaption_common-9.9.9.tar.gz").unlink()
        (packages / "etc").unlink()


# -- row 10: malformed requests get a 4xx, never a 500 ----------------------------------------------------


def test_odd_paths_passwords_and_xml_get_4xx(open_stack: Stack) -> None:
    long_name = "a" * 5000
    for url in open_stack.urls:
        for path in (f"simple/{long_name}/", f"packages/{long_name}.whl", "packages/a%00b.whl"):
            status = http.get(url + path).status
            assert 400 <= status < 500, (url, path[:40], status)
        wheel_body, headers = multipart("ytcaption_common-0.0.1-py3-none-any.whl", b"x")
        status = http.request("POST", url, data=wheel_body, headers=headers, auth=("publisher", "p" * 30_000)).status
        assert 400 <= status < 500, (url, status)
        rpc = http.request("POST", url + "RPC2", data=b"<methodCall><bad", headers={"Content-Type": "text/xml"})
        assert 400 <= rpc.status < 500, (url, rpc.status)


# -- row 8: a form that repeats a field is refused -------------------------------------------------------


def test_a_form_repeating_action_is_refused_and_stores_nothing(open_stack: Stack, tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, version="8.0.0")
    body = (
        b'--b\r\nContent-Disposition: form-data; name=":action"\r\n\r\nverify\r\n'
        b'--b\r\nContent-Disposition: form-data; name=":action"\r\n\r\nfile_upload\r\n'
        b'--b\r\nContent-Disposition: form-data; name="content"; filename="'
        + wheel.name.encode()
        + b'"\r\n\r\n'
        + wheel.read_bytes()
        + b"\r\n--b--\r\n"
    )
    for url in open_stack.urls:
        resp = http.request(
            "POST",
            url,
            data=body,
            headers={"Content-Type": "multipart/form-data; boundary=b"},
            auth=open_stack.index.credentials,
        )
        assert resp.status == 400 and "repeats the field(s) :action" in resp.text, (url, resp.status, resp.text)
    assert not (open_stack.index.index.packages / wheel.name).exists()


# -- row 7: the form's name, version and sha256_digest must describe the file ------------------------------


def test_the_forms_digest_name_and_version_must_match_the_file(open_stack: Stack, tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, version="7.0.0")
    data = wheel.read_bytes()
    lies = {
        "sha256_digest": ("0" * 64, "sha256"),
        "name": ("ytcaption-other", "name"),
        "version": ("7.0.1", "version"),
    }
    for field, (value, said) in lies.items():
        body, headers = multipart(wheel.name, data)
        extra = f'--testboundary\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n{value}\r\n'.encode()
        resp = http.request(
            "POST", open_stack.nginx.url, data=extra + body, headers=headers, auth=open_stack.index.credentials
        )
        assert resp.status == 400 and said in resp.text, (field, resp.status, resp.text)
    assert not (open_stack.index.index.packages / wheel.name).exists()
    # twine sends all three, truthfully: accepted.
    assert twine_upload(open_stack.nginx.url, [wheel], *open_stack.index.credentials).returncode == 0


def crafted_wheel(directory: Path, version: str, members: dict[str, bytes], metadata: str | None = None) -> Path:
    """A wheel of ytcaption-common holding exactly `members` besides its dist-info."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"ytcaption_common-{version}-py3-none-any.whl"
    dist = f"ytcaption_common-{version}.dist-info"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
        zf.writestr(
            f"{dist}/METADATA", metadata or f"Metadata-Version: 2.1\nName: ytcaption-common\nVersion: {version}\n"
        )
        zf.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{dist}/RECORD", "")
    return path


def test_wheels_are_bounded_stay_inside_and_install_only_owned_names(open_stack: Stack, tmp_path: Path) -> None:
    creds = open_stack.index.credentials
    head = "Metadata-Version: 2.1\nName: ytcaption-common\nVersion: 7.1.{n}\n"
    attacks = {
        "a METADATA over the limit": ({}, head + "Description: " + "x" * 100_000 + "\n", "YTC_INDEX_MAX_METADATA_KB"),
        "a zip bomb": ({"ytcaption_common/zeros.bin": bytes(16 * 1024 * 1024)}, None, "YTC_INDEX_MAX_UNPACKED_MB"),
        "a path climbing out": ({"../../x": b"x"}, None, "leaves the install folder"),
        "an absolute path": ({"/tmp/y": b"y"}, None, "leaves the install folder"),
        "a shadow of fastapi": ({"fastapi/__init__.py": b""}, None, "fastapi, which ytcaption-common does not own"),
        "a shadow in purelib": (
            {"ytcaption_common-7.1.{n}.data/purelib/requests/__init__.py": b""},
            None,
            "requests",
        ),
        "two Name fields": ({}, head + "Name: ytcaption-other\n", "repeats Name"),
    }
    for n, (what, (members, metadata, said)) in enumerate(attacks.items()):
        version = f"7.1.{n}"
        members = {k.replace("{n}", str(n)): v for k, v in members.items()}
        wheel = crafted_wheel(tmp_path / str(n), version, members, metadata and metadata.replace("{n}", str(n)))
        for url in open_stack.urls:
            resp = post(url, creds, wheel.name, wheel.read_bytes())
            assert resp.status == 400 and said in resp.text, (what, url, resp.status, resp.text[:300])
        assert not (open_stack.index.index.packages / wheel.name).exists()
    # Upstream's layout: ytcaption-common installs `common`, which the operator declared it owns.
    upstream = crafted_wheel(tmp_path / "common", "7.2.0", {"common/__init__.py": b""})
    assert post(open_stack.nginx.url, creds, upstream.name, upstream.read_bytes()).status == 200


# -- row 15: the state folder and the journal are private -------------------------------------------------


def test_the_state_folder_and_the_upload_journal_are_private(open_stack: Stack, tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, version="15.0.0")
    assert twine_upload(open_stack.index.url, [wheel], *open_stack.index.credentials).returncode == 0
    state = open_stack.index.index.home / "state"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE((state / "uploads.jsonl").stat().st_mode) == 0o600


# -- row 6: a huge header is refused before it can stall the server ------------------------------------


def test_a_huge_header_is_refused(open_stack: Stack) -> None:
    # 60,000 leading spaces stalled waitress's event loop for 20 s; above the cap, the head is refused.
    # The head never ends: the answer must come from the size alone (before: a wait for the rest).
    # Exactly the default cap (YTC_INDEX_MAX_HEADER_KB=16) is sent, so that the server has read
    # every byte when it answers and closes (unread bytes would turn its close into a reset).
    start = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: "
    head = start + b" " * (16 * 1024 - len(start))
    answer = raw_exchange(open_stack.index.url, head, timeout=10)
    assert answer.split(b"\r\n", 1)[0].endswith(b" 431 Request Header Fields Too Large"), answer[:60]
    # Below the cap, a long run of spaces (what stalls waitress's header regex) is refused too.
    blanks = start + b" " * (15 * 1024) + b"x\r\nConnection: close\r\n\r\n"
    t0 = time.monotonic()
    answer = raw_exchange(open_stack.index.url, blanks)
    print(f"\na {len(blanks)}-byte head of spaces took {(time.monotonic() - t0) * 1000:.0f} ms: {answer[:12]!r}")
    assert answer.split(b"\r\n", 1)[0].endswith(b" 400 Bad Request"), answer[:60]
    assert http.get(open_stack.index.url + "health").status == 200


# -- row 4: read auth judges the path nginx serves -----------------------------------------------------


@pytest.fixture(scope="module")
def download_locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = start_stack(tmp_path_factory.mktemp("round2-download"), "update,download")
    yield stack
    stop_stack(stack)


@pytest.fixture(scope="module")
def list_locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # Behind nginx on 127.0.0.1: the brake counts the client nginx names (X-Real-IP).
    stack = start_stack(
        tmp_path_factory.mktemp("round2-list"),
        "update,list",
        YTC_INDEX_TRUSTED_PROXY="127.0.0.1",
        YTC_INDEX_MAX_FAILURES="3",
    )
    yield stack
    stop_stack(stack)


def test_protected_downloads_cannot_be_reached_by_another_spelling_of_the_path(
    download_locked: Stack, tmp_path: Path
) -> None:
    wheel = _upload_one(download_locked, tmp_path, "4.0.0")
    for url in download_locked.urls:
        for path in (
            f"/packages/{wheel.name}",
            f"/simple/../packages/{wheel.name}",
            f"/%70ackages/{wheel.name}",
            f"//packages/{wheel.name}",
            f"/packages/./{wheel.name}",
        ):
            status, headers = request_as("127.0.0.1", "GET", url.rstrip("/") + path)
            assert status == 401 and headers.get("www-authenticate", "").startswith("Basic"), (url, path, status)
        # The listing stays open, the login still downloads.
        assert http.get(url + f"simple/{PROJECT}/").status == 200
        assert http.get(url + f"packages/{wheel.name}", auth=download_locked.index.credentials).status == 200


def test_a_protected_listing_cannot_be_reached_through_packages(list_locked: Stack, tmp_path: Path) -> None:
    _upload_one(list_locked, tmp_path, "4.0.1")
    for url in list_locked.urls:
        for path in (f"/packages/../simple/{PROJECT}/", "/packages/../simple/", f"//simple/{PROJECT}/"):
            status, _ = request_as("127.0.0.1", "GET", url.rstrip("/") + path)
            assert status == 401, (url, path, status)


# -- row 2: the failed-login brake counts the real client behind nginx ------------------------------------


def test_one_guessing_client_behind_nginx_does_not_lock_out_the_others(list_locked: Stack, tmp_path: Path) -> None:
    _upload_one(list_locked, tmp_path, "2.2.2")
    set_user(list_locked.index.index.htpasswd, "victim", "victim-password-123", role="reader")
    nginx = list_locked.nginx.url
    verify, verify_headers = multipart("x.whl", b"", action="verify")
    guesses = []
    for _ in range(6):  # one wrong password, repeated: no bcrypt, but each counts as a failure
        conn = HTTPConnection(*host_port(nginx), timeout=20, source_address=("127.0.0.2", 0))
        conn.request("POST", "/", body=verify, headers=verify_headers | basic("publisher", "wrong-guess"))
        guesses.append(conn.getresponse().status)
        conn.close()
    assert set(guesses) == {403}, guesses
    # Another client's first, correct login is not braked by the guesser's failures.
    page = f"{nginx}simple/{PROJECT}/"
    assert request_as("127.0.0.3", "GET", page, basic("victim", "victim-password-123"))[0] == 200
    # The guesser's next new password is braked: a 429 with Retry-After reaches it through nginx.
    status, headers = request_as("127.0.0.2", "GET", page, basic("publisher", "another-guess"))
    assert status == 429 and int(headers["retry-after"]) >= 1, (status, headers)


# -- row 12: reads survive the app ------------------------------------------------------------------------


def _app_pid(stack: Stack) -> int:
    record = stack.index.index.running()
    assert record is not None
    return int(record["pid"])  # type: ignore[arg-type]


def test_open_reads_through_nginx_do_not_need_the_app(tmp_path: Path) -> None:
    stack = start_stack(tmp_path, "update")
    try:
        wheel = _upload_one(stack, tmp_path / "w", "12.0.0")  # through nginx, before any read is checked
        stack.index.stop()  # the app is gone
        nginx = stack.nginx.url
        for page, accept in (("simple/", None), (f"simple/{PROJECT}/", None), (f"simple/{PROJECT}/", JSON_V1)):
            resp = http.request("GET", nginx + page, headers={"Accept": accept} if accept else {})
            assert resp.status == 200 and (page == "simple/" or wheel.name in resp.text), (page, resp.status)
        assert http.get(nginx + f"packages/{wheel.name}").body == wheel.read_bytes()
        assert http.get(nginx + f"packages/{wheel.name}.metadata").status == 200
        # Names without a page need the app (the private-name guard): they fail, they are not guessed.
        assert http.get(nginx + "simple/ytcaption-unknown/").status >= 500
    finally:
        stop_stack(stack)


def test_protected_reads_fail_closed_within_seconds_when_the_app_does_not_answer(tmp_path: Path) -> None:
    stack = start_stack(tmp_path, "update,list,download")
    creds = stack.index.credentials
    pid = _app_pid(stack)
    try:
        wheel = _upload_one(stack, tmp_path / "w", "12.0.1")
        os.kill(pid, signal.SIGSTOP)  # the app hangs
        try:
            for page, auth in ((f"simple/{PROJECT}/", creds), (f"packages/{wheel.name}", None)):
                t0 = time.monotonic()
                resp = http.get(stack.nginx.url + page, auth=auth, timeout=30)
                print(f"\n{page} with the app stopped: {resp.status} after {time.monotonic() - t0:.1f} s")
                assert resp.status == 503 and "Retry-After" in resp.headers and "retry" in resp.text, resp.status
        finally:
            os.kill(pid, signal.SIGCONT)
        stack.index.stop()  # the app is gone
        resp = http.get(stack.nginx.url + f"simple/{PROJECT}/", auth=creds, timeout=30)
        assert resp.status == 503 and "does not answer" in resp.text
    finally:
        stop_stack(stack)


# -- row 5: an upload that will be refused is refused before its body is read ------------------------------


def _upload_head(auth: dict[str, str], length: int = 189 * 1024 * 1024) -> bytes:
    lines = [
        "POST / HTTP/1.1",
        "Host: x",
        "Content-Type: multipart/form-data; boundary=testboundary",
        f"Content-Length: {length}",
        *(f"{k}: {v}" for k, v in auth.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.") else 0


def test_a_refused_upload_is_answered_before_its_body_is_sent(open_stack: Stack) -> None:
    set_user(open_stack.index.index.htpasswd, "reader-5", "reader-password-5", role="reader")
    # Only the head is sent: the answer must come without the 189 MB body (before: a wait for it).
    answer = raw_exchange(open_stack.index.url, _upload_head({}), timeout=10, head_only=True)
    assert _status_of(answer) == 401 and b"www-authenticate: basic" in answer.lower(), answer[:200]
    for auth, status in (
        ({}, 401),
        (basic("publisher", "wrong-5"), 403),
        (basic("reader-5", "reader-password-5"), 403),
    ):
        answer = raw_exchange(open_stack.nginx.url, _upload_head(auth), timeout=10, head_only=True)
        assert _status_of(answer) == status, (auth, answer[:200])


# -- row 9: a wrong password takes as long for an unknown user as for a known one -------------------------


def test_unknown_users_cost_the_same_bcrypt_as_known_ones(open_stack: Stack) -> None:
    body, headers = multipart("x.whl", b"", action="verify")

    def failed_login(url: str, source: str, user: str, attempt: str) -> float:
        conn = HTTPConnection(*host_port(url), timeout=30, source_address=(source, 0))
        try:
            started = time.monotonic()
            conn.request("POST", "/", body=body, headers=headers | basic(user, f"wrong-9-{attempt}"))
            status = conn.getresponse().status
            elapsed = time.monotonic() - started
        finally:
            conn.close()
        assert status == 403, (url, user, status)
        return elapsed

    for url, source in ((open_stack.index.url, "127.0.0.9"), (open_stack.nginx.url, "127.0.0.1")):
        # New passwords each time: a repeated failure is remembered and costs no bcrypt.
        known = sorted(failed_login(url, source, "publisher", f"{url}{i}") for i in range(3))[1]
        unknown = sorted(failed_login(url, source, "nobody-9", f"{url}{i}") for i in range(3))[1]
        print(
            f"\n{url}: wrong password, median of 3: known user {known * 1000:.0f} ms, unknown {unknown * 1000:.0f} ms"
        )
        # Before: 380 ms against 1 ms. Both now run one bcrypt; a quarter leaves room for a busy machine.
        assert unknown > known / 4, (url, known, unknown)


# -- row 14: logs do not fill the disk -------------------------------------------------------------------


def test_the_log_file_is_reopened_after_rotation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "logs" / "index.log"
    log.parent.mkdir()
    monkeypatch.setenv("YTC_INDEX_LOG_FILE", str(log))
    live = start_index(tmp_path / "index")
    try:
        assert http.get(live.url + "health").status == 200
        log.rename(log.with_name("index.log.1"))  # what logrotate does (without copytruncate)
        assert http.get(live.url + "health").status == 200
        assert log.is_file() and "/health" in log.read_text(), "the index kept writing to the rotated file"
    finally:
        live.stop()


def test_container_logs_are_rotated_by_the_runtime(repo_root: Path) -> None:
    services = yaml.safe_load((repo_root / "docker-compose.index.yml").read_text())["services"]
    for name in ("index", "nginx"):
        options = services[name]["logging"]["options"]
        assert options["max-size"] and int(options["max-file"]) >= 1, name


# -- row 13: nginx and the app negotiate from one table --------------------------------------------------

ACCEPTS = [
    None,
    "*/*",
    "*/*;q=0.1, application/vnd.pypi.simple.v1+json;q=0.2",
    "text/html;level=1",
    "text/html; q=0.5, application/vnd.pypi.simple.v1+json; q=0.4",
    "application/vnd.pypi.simple.v1+json; q=0.5, text/html; q=0.6",
    "application/vnd.pypi.simple.v1+json; q=0",
    "application/vnd.pypi.simple.v1+json;q=0, text/html",
    "application/vnd.pypi.simple.v1+json; charset=utf-8",
    "application/vnd.pypi.simple.v1+html;q=0.05",
    "APPLICATION/VND.PYPI.SIMPLE.V1+JSON",
    "text/plain, application/json",
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01",
    "text/html,application/xhtml+xml,*/*;q=0.8",
]


def test_the_nginx_map_is_generated_from_the_one_negotiation_table() -> None:
    from tests.support.nginx import TEMPLATE
    from ytc_index.negotiation import nginx_map

    assert nginx_map() in TEMPLATE.read_text(), "run `python -m ytc_index.negotiation` and paste its block"


@pytest.fixture(scope="module")
def negotiated_page(open_stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> None:
    _upload_one(open_stack, tmp_path_factory.mktemp("negotiation"), "13.0.0")


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.usefixtures("negotiated_page")
def test_nginx_and_the_app_negotiate_alike(open_stack: Stack, accept: str | None) -> None:
    answers = [
        http.request("GET", url + f"simple/{PROJECT}/", headers={"Accept": accept} if accept else {})
        for url in open_stack.urls
    ]
    direct, proxied = answers
    assert proxied.status == direct.status, accept
    assert "Accept" in direct.headers.get("Vary", "") and "Accept" in proxied.headers.get("Vary", ""), accept
    if direct.status == 200:
        assert proxied.headers["Content-Type"] == direct.headers["Content-Type"], accept
        assert proxied.body == direct.body
