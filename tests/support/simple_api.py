"""Checks of the simple API as installers read it (PEP 503, 592, 658/714, 691, 700),
shared by the tests of the Python server and of nginx in front of the same files."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from ytc_release.toolkit import web as http
from ytc_release.toolkit.runner import clean_pip_env

JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
# What pip sends (pip/_internal/index/collector.py).
PIP_ACCEPT = f"{JSON_V1}, {HTML_V1}; q=0.1, text/html; q=0.01"
FILE_KEYS = {
    "filename",
    "url",
    "hashes",
    "requires-python",
    "core-metadata",
    "yanked",
    "size",
    "upload-time",
}
_UPLOAD_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")


def make_wheel_with(directory: Path, name: str, version: str, requires_python: str | None = None) -> Path:
    """A small valid wheel whose METADATA says Requires-Python (when given)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-{version}-py3-none-any.whl"
    dist = f"{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: {version}\n"
    if requires_python:
        metadata += f"Requires-Python: {requires_python}\n"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{name}/__init__.py", f"__version__ = {version!r}\n")
        zf.writestr(f"{dist}/METADATA", metadata)
        zf.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{dist}/RECORD", "")
    return path


@dataclass
class Link:
    href: str
    text: str
    attrs: dict[str, str | None]


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[Link] = []
        self._open: dict[str, str | None] | None = None
        self._text = ""
        self.meta: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open, self._text = dict(attrs), ""
        elif tag == "meta":
            found = dict(attrs)
            if found.get("name"):
                self.meta[str(found["name"])] = found.get("content")

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.links.append(Link(str(self._open.get("href")), self._text, self._open))
            self._open = None


def parse_html(text: str) -> _Anchors:
    parser = _Anchors()
    parser.feed(text)
    parser.close()
    assert text.rstrip().endswith("</html>"), "a whole page"
    return parser


def get_page(url: str, accept: str | None, auth: tuple[str, str] | None = None) -> http.Response:
    headers = {"Accept": accept} if accept else {}
    return http.request("GET", url, headers=headers, auth=auth)


def check_project(
    base: str, project: str, uploaded: dict[str, bytes], auth: tuple[str, str] | None = None
) -> dict[str, object]:
    """The JSON and HTML pages of `project` under `base` (ending in /) agree with each
    other and with the files `uploaded` ({filename: bytes}); returns the JSON page."""
    page_url = f"{base}simple/{project}/"
    resp = get_page(page_url, PIP_ACCEPT, auth)
    assert resp.status == 200, resp.status
    assert resp.headers["Content-Type"].split(";")[0] == JSON_V1
    page = json.loads(resp.body)
    assert set(page) == {"meta", "name", "versions", "files"}
    assert page["meta"]["api-version"] == "1.1" and page["name"] == canonicalize_name(project)
    files = {f["filename"]: f for f in page["files"]}
    assert set(files) == set(uploaded)
    versions = {str(parse_wheel_filename(n)[1] if n.endswith(".whl") else parse_sdist_filename(n)[1]) for n in uploaded}
    assert page["versions"] == sorted(versions, key=Version)
    for name, data in uploaded.items():
        entry = files[name]
        assert set(entry) == FILE_KEYS, set(entry) ^ FILE_KEYS
        url = urljoin(page_url, entry["url"])
        assert entry["hashes"] == {"sha256": hashlib.sha256(data).hexdigest()}
        assert entry["size"] == len(data) and _UPLOAD_TIME.match(entry["upload-time"])
        assert http.get(url, auth=auth).body == data
        if entry["requires-python"] is not None:
            SpecifierSet(entry["requires-python"])  # parses
        if name.endswith(".whl"):
            metadata = http.get(url + ".metadata", auth=auth)
            assert metadata.status == 200 and metadata.body == wheel_metadata_bytes(data)
            digest = {"sha256": hashlib.sha256(metadata.body).hexdigest()}
            assert entry["core-metadata"] == digest
        else:
            assert entry["core-metadata"] is False
        assert "dist-info-metadata" not in entry  # HTML only: old pips crash on it in JSON (PEP 714)
    html_resp = get_page(page_url, HTML_V1, auth)
    assert html_resp.status == 200 and html_resp.headers["Content-Type"].split(";")[0] == HTML_V1
    anchors = parse_html(html_resp.text)
    assert anchors.meta.get("pypi:repository-version") == "1.1"
    assert {link.text for link in anchors.links} == set(uploaded)
    for link in anchors.links:
        entry = files[link.text]
        url, _, fragment = link.href.partition("#")
        assert fragment == f"sha256={entry['hashes']['sha256']}"
        assert urljoin(page_url, url) == urljoin(page_url, entry["url"])
        assert link.attrs.get("data-requires-python") == entry["requires-python"]
        if entry["core-metadata"]:
            expected = f"sha256={entry['core-metadata']['sha256']}"
            assert link.attrs.get("data-core-metadata") == link.attrs.get("data-dist-info-metadata") == expected
        yanked = entry["yanked"]
        assert link.attrs.get("data-yanked") == (None if yanked is False else "" if yanked is True else yanked)
    return page


def wheel_metadata_bytes(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return zf.read(name)


def check_root(base: str, projects: set[str], auth: tuple[str, str] | None = None) -> None:
    resp = get_page(base + "simple/", JSON_V1, auth)
    assert resp.status == 200 and resp.headers["Content-Type"].split(";")[0] == JSON_V1
    page = json.loads(resp.body)
    assert page["meta"]["api-version"] == "1.1"
    assert {p["name"] for p in page["projects"]} == projects
    html_resp = get_page(base + "simple/", "text/html", auth)
    assert html_resp.headers["Content-Type"].startswith("text/html")
    assert {link.text for link in parse_html(html_resp.text).links} == projects


def installer_env() -> dict[str, str]:
    env = clean_pip_env()
    for key in list(env):
        if key.startswith("UV_"):
            del env[key]
    env["UV_NO_CONFIG"] = "1"
    return env


def pip_install(python: Path, index_url: str, *requirements: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pip", "install", "--no-cache-dir", "--index-url", index_url, *requirements],
        env=installer_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def uv_install(uv: Path, python: Path, index_url: str, *requirements: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(uv), "pip", "install", "--no-cache", "--python", str(python), "--index-url", index_url, *requirements],
        env=installer_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
