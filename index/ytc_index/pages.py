"""The simple API as static files, written on every change, read by any web server.

Layout (`static` is YTC_INDEX_PAGES_DIR, default `<packages>/../static`; URLs in brackets):

    static/simple/index.{html,v1html,json}                  the root     [/simple/]
    static/simple/<project>/index.{html,v1html,json}        a project    [/simple/<project>/]
    static/metadata/<relpath>.metadata                      a wheel's METADATA (PEP 658/714)
                                                                         [/packages/<relpath>.metadata]

The package folder keeps only the uploaded files; a web server maps
`/packages/*.metadata` to the metadata tree.

Pages carry `#sha256=` links, `data-requires-python` (PEP 503), `data-core-metadata`
and `data-dist-info-metadata` (PEP 658/714), `data-yanked` (PEP 592); the JSON pages
add `versions`, `size` and `upload-time` (PEP 700, api-version 1.1). Every file is
written atomically (files.replace_file: temp + rename), and only when its bytes
change. What is known of each file (hash, size, Requires-Python, upload time) is
kept per project in `<state>/files/<project>.json`, so a page is rebuilt from that
cache plus one stat() per file. Callers hold the upload lock (releases.upload_lock):
one writer at a time, readers never see a half-written page. A project without
files has no page: readers then apply the private-name guard or the fallback."""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import quote

from packaging.version import InvalidVersion, Version

from ytc_index import people_pages
from ytc_index.archives import BadArchive, core_metadata
from ytc_index.files import listed_files, replace_file
from ytc_index.names import WHEEL, kind_of, release_key
from ytc_index.provenance import PAGE_KEY, records_of
from ytc_index.releases import read_records, read_yanked

log = logging.getLogger("ytc_index")

API_VERSION = "1.1"
HTML_PAGE, JSON_PAGE = "index.html", "index.json"
# The same HTML under the name nginx answers `application/vnd.pypi.simple.v1+html` with (its
# Content-Type comes from the file's extension; index/nginx/ytc-index.conf.template).
V1HTML_PAGE = "index.v1html"
METADATA_SUFFIX = ".metadata"
FACTS_DIR = "files"
PAGES_ENV = "YTC_INDEX_PAGES_DIR"


SIMPLE_DIR, METADATA_DIR = "simple", "metadata"


def default_pages_dir(packages: Path) -> Path:
    return packages.resolve().parent / "static"


def pages_dir_for(packages: Path, env: dict[str, str] | None = None) -> Path:
    """The static pages of the index serving `packages` (YTC_INDEX_PAGES_DIR wins)."""
    configured = (os.environ if env is None else env).get(PAGES_ENV, "")
    return Path(configured) if configured else default_pages_dir(packages)


@dataclass(frozen=True)
class FileFacts:
    relpath: str  # below the package folder, with "/"
    size: int
    mtime_ns: int
    inode: int
    sha256: str
    version: str
    requires_python: str | None
    metadata_sha256: str | None  # wheels: the sha256 of <wheel>.metadata
    upload_time: float

    @property
    def filename(self) -> str:
        return self.relpath.rsplit("/", 1)[-1]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _version_key(version: str) -> tuple[int, Version | str]:
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def render_project(
    project: str,
    files: list[FileFacts],
    yanked: dict[tuple[str, str], str],
    provenance: dict[str, dict[str, object]] | None = None,
) -> tuple[bytes, bytes]:
    """(HTML page, JSON page) of one project; links are relative to /simple/<project>/.
    `provenance`: {filename: record} of the files uploaded with one (provenance.py)."""
    provenance = provenance or {}
    files = sorted(files, key=lambda f: (_version_key(f.version), f.filename))
    name = html.escape(project)
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        "  <head>",
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">',
        f"    <title>Links for {name}</title>",
        "  </head>",
        "  <body>",
        f"    <h1>Links for {name}</h1>",
    ]
    entries = []
    for f in files:
        url = "../../packages/" + quote(f.relpath)
        attrs = [f'href="{html.escape(url)}#sha256={f.sha256}"']
        if f.requires_python:
            attrs.append(f'data-requires-python="{html.escape(f.requires_python, quote=True)}"')
        if f.metadata_sha256:
            attrs.append(f'data-dist-info-metadata="sha256={f.metadata_sha256}"')
            attrs.append(f'data-core-metadata="sha256={f.metadata_sha256}"')
        reason = yanked.get((project, f.version))
        if reason is not None:
            attrs.append(f'data-yanked="{html.escape(reason, quote=True)}"')
        lines.append(f"    <a {' '.join(attrs)}>{html.escape(f.filename)}</a><br>")
        metadata: dict[str, str] | bool = {"sha256": f.metadata_sha256} if f.metadata_sha256 else False
        entries.append(
            {
                "filename": f.filename,
                "url": url,
                "hashes": {"sha256": f.sha256},
                "requires-python": f.requires_python,
                # PEP 714's name only: pip 22.3-23.0 crash on a JSON "dist-info-metadata" object
                # (TypeError: unhashable type: 'dict'), and Debian 12's venvs ship pip 23.0.1.
                "core-metadata": metadata,
                "yanked": (reason or True) if reason is not None else False,
                "size": f.size,
                "upload-time": _iso(f.upload_time),
            }
        )
        if f.filename in provenance:  # a private key (PEP 700: a leading underscore is the index's own)
            entries[-1][PAGE_KEY] = provenance[f.filename]
    lines += ["  </body>", "</html>", ""]
    versions = sorted({f.version for f in files}, key=_version_key)
    page = {"meta": {"api-version": API_VERSION}, "name": project, "versions": versions, "files": entries}
    return "\n".join(lines).encode(), (json.dumps(page, indent=1) + "\n").encode()


def render_root(projects: Iterable[str]) -> tuple[bytes, bytes]:
    names = sorted(projects)
    lines = [
        "<!DOCTYPE html>",
        "<html>",
        "  <head>",
        f'    <meta name="pypi:repository-version" content="{API_VERSION}">',
        "    <title>Simple Index</title>",
        "  </head>",
        "  <body>",
        "    <h1>Simple Index</h1>",
        *(f'    <a href="{quote(n)}/">{html.escape(n)}</a><br>' for n in names),
        "  </body>",
        "</html>",
        "",
    ]
    page = {"meta": {"api-version": API_VERSION}, "projects": [{"name": n} for n in names]}
    return "\n".join(lines).encode(), (json.dumps(page, indent=1) + "\n").encode()


def _write_if_changed(path: Path, data: bytes) -> bool:
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    replace_file(path, data, mode=0o644, durable=False)  # rebuilt at start if a crash loses it
    return True


class PageWriter:
    """Writes the static simple pages of one package folder. Call under the upload lock."""

    def __init__(self, packages: Path, state: Path, static: Path) -> None:
        self.packages = packages.resolve()
        self.state = state
        self.pages = static / SIMPLE_DIR
        self.metadata = static / METADATA_DIR
        self.facts_dir = state / FACTS_DIR

    def metadata_path(self, relpath: str) -> Path:
        return self.metadata / (relpath + METADATA_SUFFIX)

    # -- the per-project cache of file facts --------------------------------------------
    def _load_facts(self, project: str) -> dict[str, FileFacts]:
        try:
            raw = json.loads((self.facts_dir / f"{project}.json").read_text(encoding="utf-8"))
            return {r["relpath"]: FileFacts(**r) for r in raw}
        except (FileNotFoundError, ValueError, TypeError, KeyError):
            return {}

    def _save_facts(self, project: str, facts: dict[str, FileFacts]) -> None:
        self.facts_dir.mkdir(parents=True, exist_ok=True)
        data = json.dumps([asdict(f) for f in sorted(facts.values(), key=lambda f: f.relpath)], indent=0)
        _write_if_changed(self.facts_dir / f"{project}.json", data.encode())

    def _facts_of(self, relpath: str, st: os.stat_result, version: str, upload_time: float) -> FileFacts:
        path = self.packages / relpath
        filename = path.name
        requires_python = metadata_sha256 = None
        try:
            metadata = core_metadata(path, filename)
        except BadArchive as err:
            log.warning("%s: no metadata on its page (%s)", relpath, err)
        else:
            fields = BytesParser().parsebytes(metadata, headersonly=True)
            requires_python = (fields.get("Requires-Python") or "").strip() or None
            if kind_of(filename) == WHEEL:
                target = self.metadata_path(relpath)
                target.parent.mkdir(parents=True, exist_ok=True)
                _write_if_changed(target, metadata)
                metadata_sha256 = hashlib.sha256(metadata).hexdigest()
        return FileFacts(
            relpath,
            st.st_size,
            st.st_mtime_ns,
            st.st_ino,
            _sha256(path),
            version,
            requires_python,
            metadata_sha256,
            upload_time,
        )

    # -- pages ------------------------------------------------------------------------
    def sync_project(
        self, project: str, added: Iterable[str] = (), times: dict[str, float] | None = None, root: bool = True
    ) -> None:
        """Rewrite `project`'s pages from its cached files plus `added` (relpaths),
        re-reading any file whose size or mtime changed and dropping files gone from
        disk (and their .metadata). `times`: upload times by relpath (else the mtime)."""
        times = times or {}
        cached = self._load_facts(project)
        facts: dict[str, FileFacts] = {}
        for relpath in sorted({*cached, *added}):
            path = self.packages / relpath
            try:
                st = path.stat()
            except FileNotFoundError:
                with contextlib.suppress(FileNotFoundError):
                    self.metadata_path(relpath).unlink()
                continue
            key = release_key(path.name)
            if key is None or key[0] != project:
                continue
            old = cached.get(relpath)
            if old and (old.size, old.mtime_ns, old.inode) == (st.st_size, st.st_mtime_ns, st.st_ino):
                facts[relpath] = old
            else:
                facts[relpath] = self._facts_of(relpath, st, key[1], times.get(relpath, st.st_mtime))
        if facts != cached:
            self._save_facts(project, facts)
        directory = self.pages / project
        existed = (directory / HTML_PAGE).exists()
        if facts:
            directory.mkdir(parents=True, exist_ok=True)
            page_html, page_json = render_project(
                project, list(facts.values()), read_yanked(self.state), records_of(self.state, project)
            )
            # JSON first: a client that finds the HTML page finds the JSON one too.
            _write_if_changed(directory / JSON_PAGE, page_json)
            _write_if_changed(directory / V1HTML_PAGE, page_html)
            _write_if_changed(directory / HTML_PAGE, page_html)
        elif existed or directory.exists():
            for name in (HTML_PAGE, V1HTML_PAGE, JSON_PAGE):
                with contextlib.suppress(FileNotFoundError):
                    (directory / name).unlink()
            with contextlib.suppress(OSError):
                directory.rmdir()
        # The page a person reads, from the same facts (and the root page, whose newest versions changed).
        people_pages.sync(self.pages.parent, self.packages, self.state, project, list(facts.values()), root=root)
        if root and existed != bool(facts):
            self.write_root()

    def projects(self) -> list[str]:
        """The projects that have a page."""
        try:
            with os.scandir(self.pages) as entries:
                return [e.name for e in entries if e.is_dir() and (Path(e.path) / HTML_PAGE).exists()]
        except FileNotFoundError:
            return []

    def write_root(self) -> None:
        self.pages.mkdir(parents=True, exist_ok=True)
        page_html, page_json = render_root(self.projects())
        _write_if_changed(self.pages / JSON_PAGE, page_json)
        _write_if_changed(self.pages / V1HTML_PAGE, page_html)
        _write_if_changed(self.pages / HTML_PAGE, page_html)
        people_pages.write_root(self.pages.parent)

    def rebuild(self) -> int:
        """Every page from the package folder as it is (at start, or after files were
        copied in or removed by hand); returns the number of projects."""
        started = time.monotonic()
        on_disk = scan_projects(self.packages)
        times = {
            str(r["file"]): float(r["time"])  # type: ignore[arg-type]
            for r in read_records(self.state)
            if r.get("op") == "upload" and "file" in r and "time" in r
        }
        known = set(self.projects())
        with contextlib.suppress(FileNotFoundError):
            known |= {p.name[: -len(".json")] for p in self.facts_dir.glob("*.json")}
        for project in sorted(known | set(on_disk)):
            relpaths = on_disk.get(project, [])
            upload_times = {rel: times[rel.rsplit("/", 1)[-1]] for rel in relpaths if rel.rsplit("/", 1)[-1] in times}
            self.sync_project(project, relpaths, upload_times, root=False)
        self.write_root()
        log.info("static pages: %d projects written in %.2f s", len(on_disk), time.monotonic() - started)
        return len(on_disk)


def scan_projects(packages: Path) -> dict[str, list[str]]:
    """{project: [relpath]} of every wheel and sdist below `packages` (hidden names skipped)."""
    found: dict[str, list[str]] = {}
    root = str(packages)
    for entry in listed_files(root):
        key = release_key(entry.name)
        if key is not None:
            found.setdefault(key[0], []).append(entry.path[len(root) + 1 :].replace(os.sep, "/"))
    return found
