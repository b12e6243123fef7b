"""The pages for people: written beside the simple pages, served like them.

Layout (in the static folder; URLs in brackets):

    static/project/index.html              the root page, every project     [/]
    static/project/<project>/index.html    one project's page               [/project/<project>/]

pages.PageWriter calls `sync` whenever it rewrites a project's simple pages (at start, on
every upload, on every operator act), under the upload lock, and `write_root` with its root.
nginx serves these files (index/nginx/ytc-index.conf.template); the embedded index serves
them through `serve`. Either way they are behind the same read rule as /simple/ (the gate,
or nginx's read check): a private project behind read auth stays behind it."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from pypiserver.pkg_helpers import normalize_pkgname_for_url

from ytc_index import people_html
from ytc_index.archives import BadArchive, core_metadata
from ytc_index.files import replace_file
from ytc_index.names import WHEEL, kind_of, release_key
from ytc_index.releases import read_records, read_yanked

log = logging.getLogger("ytc_index")

PROJECT_DIR = "project"
PAGE = "index.html"
URL_PREFIX = "/project/"
# Where the simple JSON page of a project is (pages.py); the root page reads it.
_SIMPLE_JSON = ("simple", "index.json")
_METADATA = "metadata"


class Facts(Protocol):
    """What pages.FileFacts knows of one file (the fields these pages use)."""

    @property
    def relpath(self) -> str: ...
    @property
    def filename(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def sha256(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def requires_python(self) -> str | None: ...
    @property
    def upload_time(self) -> float: ...


def _write_if_changed(path: Path, data: bytes) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, data, mode=0o644, durable=False)  # rebuilt at start if a crash loses it


def owned_paths(static: Path, project: str) -> list[Path]:
    """The files and folders `sync` may create for `project` (the operator gives them back to the server's owner)."""
    base = static / PROJECT_DIR
    return [base, base / PAGE, base / project, base / project / PAGE]


def _uploads(state: Path) -> dict[str, tuple[str, float]]:
    """{filename: (account, time)} from the upload journal."""
    found: dict[str, tuple[str, float]] = {}
    for record in read_records(state):
        if record.get("op") == "upload" and isinstance(record.get("file"), str):
            with contextlib.suppress(TypeError, ValueError):
                found.setdefault(str(record["file"]), (str(record.get("user") or "?"), float(record["time"])))  # type: ignore[arg-type]
    return found


def _metadata_of(static: Path, packages: Path, files: Sequence[Facts]) -> bytes | None:
    """The core metadata of a release: its wheel's extracted .metadata, else read from a file."""
    for f in sorted(files, key=lambda f: kind_of(f.filename) != WHEEL):
        extracted = static / _METADATA / (f.relpath + ".metadata")
        with contextlib.suppress(FileNotFoundError):
            return extracted.read_bytes()
        with contextlib.suppress(BadArchive):
            return core_metadata(packages / f.relpath, f.filename)
    return None


def render_project_page(static: Path, packages: Path, state: Path, project: str, facts: Sequence[Facts]) -> bytes:
    yanked = read_yanked(state)
    uploads = _uploads(state)
    by_version: dict[str, list[Facts]] = {}
    for f in facts:
        by_version.setdefault(f.version, []).append(f)
    rows = []
    for version, files in by_version.items():
        first = min(files, key=lambda f: f.upload_time)
        account = uploads.get(first.filename)
        rows.append(
            people_html.VersionRow(
                version=version,
                uploaded=account[1] if account else first.upload_time,
                uploaded_by=account[0] if account else None,
                requires_python=next((f.requires_python for f in files if f.requires_python), None),
                yanked_reason=yanked.get((project, version)),
                files=tuple(
                    people_html.FileRow(f.filename, "../../packages/" + quote(f.relpath), f.size, f.sha256)
                    for f in files
                ),
            )
        )
    newest = sorted(rows, key=lambda r: (r.yanked_reason is None, people_html.version_key(r.version)))[-1:]
    description = summary = ""
    changes = None
    raw = _metadata_of(static, packages, by_version[newest[0].version]) if newest else None
    if raw is not None:
        metadata = people_html.parse_metadata(raw)
        summary = str(metadata.get("Summary") or "")
        text, content_type = people_html.description_of(metadata)
        if text.strip():
            description = people_html.render_description(text, content_type)
        if (content_type or "").lower().startswith("text/markdown"):
            section = people_html.changelog_section(text, newest[0].version)
            if section:
                changes = people_html.render_description(section, "text/markdown")
    return people_html.render_project(project, rows, description, summary, changes)


def sync(static: Path, packages: Path, state: Path, project: str, facts: Sequence[Facts], root: bool = True) -> None:
    """Rewrite (or remove, when it has no files) `project`'s page; the root page too unless `root` is False."""
    directory = static / PROJECT_DIR / project
    if facts:
        try:
            page = render_project_page(static, packages, state, project, facts)
        except Exception:  # a page for people must never fail an upload: the simple pages are written
            log.exception("%s: its page for people was not rewritten", project)
            return
        _write_if_changed(directory / PAGE, page)
    else:
        with contextlib.suppress(FileNotFoundError):
            (directory / PAGE).unlink()
        with contextlib.suppress(OSError):
            directory.rmdir()
    if root:
        write_root(static)


def _summary(project: str, simple_json: Path) -> people_html.ProjectSummary | None:
    try:
        page = json.loads(simple_json.read_text(encoding="utf-8"))
        files = [(release_key(str(f["filename"])), f) for f in page["files"]]
        versions = [str(v) for v in page.get("versions", [])]
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None
    yanked = {key[1] for key, f in files if key and f.get("yanked")}
    live = [v for v in versions if v not in yanked]
    newest = max(live, key=people_html.version_key) if live else None
    times = [
        people_html.parse_iso(str(f["upload-time"]))
        for key, f in files
        if key and key[1] == newest and f.get("upload-time")
    ]
    return people_html.ProjectSummary(project, newest, min(times) if times else None, len(versions))


def write_root(static: Path) -> None:
    """The root page from every project's simple JSON page."""
    simple = static / _SIMPLE_JSON[0]
    summaries = []
    with contextlib.suppress(FileNotFoundError):
        for entry in sorted(simple.iterdir()):
            if entry.is_dir():
                found = _summary(entry.name, entry / _SIMPLE_JSON[1])
                if found is not None:
                    summaries.append(found)
    _write_if_changed(static / PROJECT_DIR / PAGE, people_html.render_root(summaries))


def _answer(start_response: Callable[..., Any], status: str, body: bytes, content_type: str, head: bool) -> list[bytes]:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [b"" if head else body]


def serve(static: Path, path: str, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """GET/HEAD of `/` or `/project/<name>/` for the embedded index (nginx serves the same files)."""
    head = environ.get("REQUEST_METHOD") == "HEAD"
    html_type = "text/html; charset=utf-8"
    if path == "/":
        try:
            return _answer(start_response, "200 OK", (static / PROJECT_DIR / PAGE).read_bytes(), html_type, head)
        except FileNotFoundError:
            return _answer(start_response, "200 OK", people_html.render_root([]), html_type, head)
    name = path[len(URL_PREFIX) :].rstrip("/")
    normalized = normalize_pkgname_for_url(name) if name and "/" not in name else ""
    if normalized and (name != normalized or not path.endswith("/")):
        start_response("301 Moved Permanently", [("Location", f"{URL_PREFIX}{normalized}/"), ("Content-Length", "0")])
        return [b""]
    try:
        body = (static / PROJECT_DIR / normalized / PAGE).read_bytes() if normalized else None
    except FileNotFoundError:
        body = None
    if body is None:
        text = f"Not Found: no project {name!r} has files on this index (its page appears with its first upload).\n"
        return _answer(start_response, "404 Not Found", text.encode(), "text/plain; charset=utf-8", head)
    return _answer(start_response, "200 OK", body, html_type, head)
