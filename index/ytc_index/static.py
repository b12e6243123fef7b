"""Reads from the static tree (pages.py) and the package folder, as nginx serves them.

GET and HEAD of `/simple/`, `/simple/<project>/`, `/packages/<file>` and
`/packages/<wheel>.metadata` are answered from files on disk, with PEP 691 content negotiation (the Accept
header with q-values, or `?format=`). A project without a page is a private
name (404, never looked up upstream) or a public one (redirect to the fallback);
a non-normalised name is redirected to its PEP 503 URL. Everything else, and
conditional or range downloads, go to pypiserver."""

from __future__ import annotations

import mimetypes
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin

from pypiserver.pkg_helpers import normalize_pkgname_for_url

from ytc_index import people_pages
from ytc_index.negotiation import HTML, HTML_V1, JSON, JSON_V1, OFFERED, TEXT_HTML, V1HTML, choose
from ytc_index.pages import HTML_PAGE, JSON_PAGE, METADATA_DIR, METADATA_SUFFIX, SIMPLE_DIR
from ytc_index.registry import PrivateNames

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# (page file, Content-Type) for each choice of the one negotiation table (negotiation.py).
_PAGES = {
    JSON: (JSON_PAGE, JSON_V1),
    V1HTML: (HTML_PAGE, HTML_V1),
    HTML: (HTML_PAGE, TEXT_HTML),
}
_SIMPLE_PROJECT = re.compile(r"^/simple/(?P<name>[^/]+)/$")
# PEP 508's project names; longer ones do not fit a file name (and PyPI has none).
_PROJECT_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
MAX_NAME_CHARS = 200
_DEFER = ("HTTP_RANGE", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_NONE_MATCH", "HTTP_IF_RANGE")


def negotiate(accept: str | None, fmt: str = "") -> tuple[str, str] | None:
    """(page file, Content-Type) for an Accept header and a `?format=` value; None: nothing
    we serve is acceptable. The rules are negotiation.RULES, which nginx runs too."""
    choice = choose(fmt, accept)
    return _PAGES[choice] if choice else None


def _text(
    start_response: Callable[..., Any], status: str, text: str, headers: Iterable[tuple[str, str]] = ()
) -> list[bytes]:
    body = text.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))), *headers]
    )
    return [body]


class StaticIndex:
    def __init__(
        self,
        app: WSGIApp,
        static: Path,
        packages: Path,
        names: PrivateNames,
        fallback_url: str,
        fresh: Callable[[], object],
    ) -> None:
        self.app = app
        self.pages = static / SIMPLE_DIR
        self.metadata = static / METADATA_DIR
        self.packages = packages.resolve()
        self.names = names
        self.fallback_url = fallback_url.rstrip("/")
        # Called before a page is read: notices files added or removed by hand (one stat per folder).
        self.fresh = fresh

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO", "")
        if method not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        if path == "/" or path.startswith(people_pages.URL_PREFIX):  # the pages for people
            self.fresh()
            return people_pages.serve(self.pages.parent, path, environ, start_response)
        if path == "/simple/":
            self.fresh()
            return self._page(self.pages, environ, start_response)
        match = _SIMPLE_PROJECT.match(path)
        if match:
            return self._project(match["name"], environ, start_response)
        # pypiserver answers ranges and conditional requests for the files it lists; metadata
        # files are ours alone: served whole (ignoring those headers is allowed by HTTP).
        if path.startswith("/packages/") and (path.endswith(METADATA_SUFFIX) or not any(k in environ for k in _DEFER)):
            served = self._download(path[len("/packages/") :], environ, start_response)
            if served is not None:
                return served
        return self.app(environ, start_response)

    def _project(self, name: str, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.fresh()
        if len(name) > MAX_NAME_CHARS or not _PROJECT_NAME.match(name):
            return _text(
                start_response,
                "404 Not Found",
                f"Not Found: this is not a project name (PEP 508, at most {MAX_NAME_CHARS} characters)\n",
            )
        normalized = normalize_pkgname_for_url(name)
        has_page = (self.pages / normalized / HTML_PAGE).is_file()
        if not has_page and self.names.is_private(name):
            return _text(
                start_response,
                "404 Not Found",
                f"Not Found: {name} is a private project with no files on this index; "
                "it is never looked up upstream.\n",
            )
        if name != normalized:  # PEP 503: one URL per project
            here = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
            return _text(
                start_response, "301 Moved Permanently", "", [("Location", urljoin(here, f"../{normalized}/"))]
            )
        if not has_page:
            status = "303 See Other" if environ.get("SERVER_PROTOCOL") == "HTTP/1.1" else "302 Found"
            return _text(start_response, status, "", [("Location", f"{self.fallback_url}/{name}/")])
        return self._page(self.pages / normalized, environ, start_response)

    def _page(self, directory: Path, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # `+` in a raw query string reads as a space; a media type has none.
        forced = parse_qs(environ.get("QUERY_STRING", "")).get("format", [""])[0].replace(" ", "+")
        choice = negotiate(environ.get("HTTP_ACCEPT"), forced)
        if choice is None:
            offered = ", ".join(OFFERED)
            return _text(start_response, "406 Not Acceptable", f"this index serves {offered}\n", [("Vary", "Accept")])
        page, content_type = choice
        try:
            body = (directory / page).read_bytes()  # one open(): the whole old page or the whole new one
        except FileNotFoundError:
            return _text(start_response, "404 Not Found", "Not Found\n")
        start_response(
            "200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body))), ("Vary", "Accept")]
        )
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    def _download(
        self, relpath: str, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes] | None:
        parts = relpath.split("/")
        if any(not part or part.startswith(".") for part in parts):
            return None  # hidden names and `..` are never served
        base = self.metadata if parts[-1].endswith(METADATA_SUFFIX) else self.packages
        fh = _open_regular(base, parts)
        if fh is None:
            return None
        st = os.fstat(fh.fileno())
        start_response(
            "200 OK",
            [
                ("Content-Type", mimetypes.guess_type(parts[-1])[0] or "application/octet-stream"),
                ("Content-Length", str(st.st_size)),
                ("Last-Modified", formatdate(st.st_mtime, usegmt=True)),
                ("Accept-Ranges", "bytes"),
            ],
        )
        if environ.get("REQUEST_METHOD") == "HEAD":
            fh.close()
            return [b""]
        wrapper = environ.get("wsgi.file_wrapper")
        return wrapper(fh, 1 << 16) if wrapper else _chunks(fh)


def _open_regular(base: Path, parts: list[str]) -> Any:
    """The regular file base/parts, opened without following any symbolic link below `base`
    (a link to the accounts or to /etc is never served); None if there is none."""
    fd = -1
    try:
        fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            flags = os.O_RDONLY | os.O_NOFOLLOW | (0 if last else os.O_DIRECTORY)
            child = os.open(part, flags, dir_fd=fd)
            os.close(fd)
            fd = child
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        fh = os.fdopen(fd, "rb")
        fd = -1
        return fh
    except (OSError, ValueError):  # missing, a link, too long a name, a NUL
        return None
    finally:
        if fd >= 0:
            os.close(fd)


def _chunks(fh: Any) -> Iterator[bytes]:
    with fh:
        yield from iter(lambda: fh.read(1 << 16), b"")
