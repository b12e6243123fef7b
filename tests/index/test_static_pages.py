"""The simple API as static files, served by the Python server: the files on disk
are what the server answers, they follow uploads atomically, and installers
(real pip and uv) read them."""

from __future__ import annotations

import hashlib
import json
import sys
import threading
from pathlib import Path

import pytest

from tests.support.index import LiveIndex, make_sdist, make_wheel, twine_upload
from tests.support.simple_api import (
    HTML_V1,
    JSON_V1,
    PIP_ACCEPT,
    check_project,
    check_root,
    get_page,
    make_wheel_with,
    parse_html,
    pip_install,
    uv_install,
)
from tests.support.venvs import make_venv, pip, pip_version, run_python
from ytc_index.backend import INCOMING
from ytc_index.static import negotiate
from ytc_release.toolkit import web as http

FALLBACK = "http://127.0.0.1:9/fallback-simple/"
PROJECT = "ytcaption-common"


@pytest.fixture(autouse=True)
def _fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTC_INDEX_FALLBACK_URL", FALLBACK)


def static_tree(live: LiveIndex) -> Path:
    return live.index.home / "static"


def upload(live: LiveIndex, *files: Path) -> None:
    user, password = live.credentials
    result = twine_upload(live.url, list(files), user, password)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def published(live_index: LiveIndex, tmp_path: Path) -> dict[str, bytes]:
    """1.0.0 (wheel + sdist, for Python >=3.8) and 1.0.1 (wheel, for Python >=3.99: never installable here).
    (A lower bound: uv ignores upper bounds of Requires-Python by design.)"""
    files = [
        make_wheel_with(tmp_path / "a", "ytcaption_common", "1.0.0", ">=3.8"),
        make_sdist(tmp_path / "a"),
        make_wheel_with(tmp_path / "b", "ytcaption_common", "1.0.1", ">=3.99"),
    ]
    upload(live_index, *files)
    return {f.name: f.read_bytes() for f in files}


def test_pages_follow_the_standards_and_are_the_files_on_disk(
    live_index: LiveIndex, published: dict[str, bytes]
) -> None:
    page = check_project(live_index.url, PROJECT, published)
    check_root(live_index.url, {PROJECT})
    by_name = {f["filename"]: f for f in page["files"]}  # type: ignore[attr-defined]
    assert by_name["ytcaption_common-1.0.1-py3-none-any.whl"]["requires-python"] == ">=3.99"
    html = get_page(live_index.url + f"simple/{PROJECT}/", HTML_V1).text
    assert 'data-requires-python="&gt;=3.99"' in html  # PEP 503: HTML-escaped
    tree = static_tree(live_index)
    assert (
        get_page(live_index.url + f"simple/{PROJECT}/", JSON_V1).body
        == (tree / "simple" / PROJECT / "index.json").read_bytes()
    )
    assert html.encode() == (tree / "simple" / PROJECT / "index.html").read_bytes()
    assert get_page(live_index.url + "simple/", None).body == (tree / "simple" / "index.html").read_bytes()
    # The package folder holds only the uploaded files; metadata files live in the static tree.
    listed = [p.name for p in live_index.index.packages.iterdir() if p.name != INCOMING]
    assert sorted(listed) == sorted(published) and list((live_index.index.packages / INCOMING).iterdir()) == []
    wheel = "ytcaption_common-1.0.0-py3-none-any.whl"
    assert (tree / "metadata" / f"{wheel}.metadata").is_file()


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, ("index.html", "text/html")),
        ("*/*", ("index.html", "text/html")),
        ("text/html,application/xhtml+xml,*/*;q=0.8", ("index.html", "text/html")),
        (PIP_ACCEPT, ("index.json", JSON_V1)),
        ("application/vnd.pypi.simple.latest+json", ("index.json", JSON_V1)),
        (f"{JSON_V1};q=0.2, {HTML_V1};q=0.9", ("index.html", HTML_V1)),
        (f"{JSON_V1};q=0, text/html", ("index.html", "text/html")),
        ("application/json", None),
    ],
)
def test_content_negotiation_reads_q_values(accept: str | None, expected: tuple[str, str] | None) -> None:
    assert negotiate(accept) == expected


def test_negotiation_over_http_head_and_format(live_index: LiveIndex, published: dict[str, bytes]) -> None:
    url = live_index.url + f"simple/{PROJECT}/"
    assert get_page(url, "application/json").status == 406
    forced = http.get(url + "?format=" + JSON_V1.replace("+", "%2B"))
    assert forced.headers["Content-Type"] == JSON_V1 and json.loads(forced.body)["name"] == PROJECT
    head = http.request("HEAD", url, headers={"Accept": PIP_ACCEPT})
    full = get_page(url, PIP_ACCEPT)
    assert head.status == 200 and head.body == b"" and head.headers["Content-Length"] == str(len(full.body))
    assert full.headers["Vary"] == "Accept"


def test_names_private_public_and_not_normalised(live_index: LiveIndex, published: dict[str, bytes]) -> None:
    assert get_page(live_index.url + "simple/ytcaption-nothing-here/", PIP_ACCEPT).status == 404
    public = get_page(live_index.url + "simple/six/", PIP_ACCEPT)
    assert public.status in (302, 303) and public.headers["Location"] == FALLBACK + "six/"
    odd = get_page(live_index.url + "simple/YTCaption_Common/", PIP_ACCEPT)
    assert odd.status == 301 and odd.headers["Location"].endswith(f"/simple/{PROJECT}/")
    assert get_page(live_index.url + "packages/.hidden", None).status == 404
    assert get_page(live_index.url + "packages/../auth/htpasswd", None).status in (400, 404)


def test_yanked_versions_are_marked_in_json_too(live_index: LiveIndex, published: dict[str, bytes]) -> None:
    from tests.support.cli import run_cli

    yank = run_cli(
        "index", "yank", PROJECT, "1.0.0", "--reason", "bad <build>", "--packages", str(live_index.index.packages)
    )
    assert yank.returncode == 0, yank.stderr
    page = check_project(live_index.url, PROJECT, published)
    yanked = {f["filename"]: f["yanked"] for f in page["files"]}  # type: ignore[attr-defined]
    assert yanked["ytcaption_common-1.0.0-py3-none-any.whl"] == "bad <build>"
    assert yanked["ytcaption_common-1.0.1-py3-none-any.whl"] is False


def test_an_upload_changes_the_pages_atomically_under_concurrent_reads(live_index: LiveIndex, tmp_path: Path) -> None:
    """Readers fetch both pages in a loop while versions are uploaded: every answer is a
    whole page, and the number of files listed never goes back."""
    upload(live_index, make_wheel(tmp_path / "0", version="0.0.1"))
    url = live_index.url + f"simple/{PROJECT}/"
    stop = threading.Event()
    problems: list[str] = []
    seen: list[int] = []

    def reader(accept: str) -> None:
        last = 0
        while not stop.is_set():
            resp = get_page(url, accept)
            try:
                count = len(json.loads(resp.body)["files"]) if accept == JSON_V1 else len(parse_html(resp.text).links)
            except (ValueError, AssertionError) as err:
                problems.append(f"{accept}: {err!r}")
                return
            if count < last:
                problems.append(f"{accept}: {count} files after {last}")
            last = count
            seen.append(count)

    readers = [threading.Thread(target=reader, args=(a,)) for a in (JSON_V1, HTML_V1, JSON_V1)]
    for t in readers:
        t.start()
    try:
        for i in range(1, 6):
            upload(live_index, make_wheel(tmp_path / str(i), version=f"0.0.{i + 1}"))
    finally:
        stop.set()
        for t in readers:
            t.join(30)
    assert problems == []
    assert max(seen) == 6 and len(seen) > 10
    assert len(json.loads(get_page(url, JSON_V1).body)["files"]) == 6


def test_real_pip_and_uv_install_from_the_pages(
    live_index: LiveIndex, published: dict[str, bytes], tmp_path: Path
) -> None:
    index_url = live_index.url + "simple/"
    for installer in ("pip", "uv"):
        python = make_venv(tmp_path / installer)
        if installer == "pip":
            result = pip_install(python, index_url, "-v", PROJECT)
            if pip_version(python) >= (23, 2):  # PEP 714's core-metadata; older pips fetch the wheel
                assert "whl.metadata" in result.stdout  # PEP 658: pip read the metadata file, not the wheel
        else:
            result = uv_install(Path(sys.executable).parent / "uv", python, index_url, PROJECT)
        assert result.returncode == 0, result.stdout + result.stderr
        # 1.0.1 requires Python >=3.99: both skip it by its requires-python.
        assert run_python(python, "import ytcaption_common; print(ytcaption_common.__version__)") == "1.0.0"


@pytest.mark.parametrize("old_pip", ["23.0.1", "22.3.1"])
def test_pips_that_misread_json_metadata_still_install(
    live_index: LiveIndex, published: dict[str, bytes], tmp_path: Path, old_pip: str
) -> None:
    """pip 22.3-23.0 (23.0.1 is what Debian 12's venvs carry) crash on a JSON `dist-info-metadata`
    object; the pages give them `core-metadata` only, which they ignore."""
    python = make_venv(tmp_path / "venv")
    pip(python, "install", "--quiet", "--index-url", "https://pypi.org/simple/", f"pip=={old_pip}")
    assert pip_version(python) == tuple(int(p) for p in old_pip.split(".")[:2])
    result = pip_install(python, live_index.url + "simple/", PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert run_python(python, "import ytcaption_common; print(ytcaption_common.__version__)") == "1.0.0"


def test_metadata_files_answer_conditional_and_range_requests(
    live_index: LiveIndex, published: dict[str, bytes]
) -> None:
    """uv revalidates its cache with If-None-Match / If-Modified-Since: still the file, never a 404."""
    wheel = "ytcaption_common-1.0.0-py3-none-any.whl"
    url = live_index.url + f"packages/{wheel}.metadata"
    for headers in (
        {"If-None-Match": '"x"'},
        {"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"},
        {"Range": "bytes=0-3"},
    ):
        resp = http.request("GET", url, headers=headers)
        assert resp.status == 200 and resp.body.startswith(b"Metadata-Version"), headers


def test_a_file_replaced_on_disk_changes_its_hash_on_the_page(
    live_index: LiveIndex, published: dict[str, bytes]
) -> None:
    """Storage-level tampering (another file renamed into place) shows on the next read, so
    `ytc-release check` sees served hashes that differ from the locks."""
    wheel = live_index.index.packages / "ytcaption_common-1.0.0-py3-none-any.whl"
    swapped = wheel.with_name("swapped.tmp")
    swapped.write_bytes(wheel.read_bytes() + b"tampered")
    swapped.replace(wheel)
    page = json.loads(get_page(live_index.url + f"simple/{PROJECT}/", JSON_V1).body)
    (entry,) = [f for f in page["files"] if f["filename"] == wheel.name]
    assert entry["hashes"]["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
