"""The WSGI application: pypiserver's HTTP API with our backend, behind a gate
(logins, roles, whole uploads only), a guard that never sends a private name
upstream, and PEP 592 yank marks."""

from __future__ import annotations

import html
import mimetypes
import os
import re
from collections.abc import Callable, Iterable, Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pypiserver
from pypiserver.backend import BackendProxy
from pypiserver.config import Config, RunConfig
from pypiserver.pkg_helpers import normalize_pkgname

from ytc_index.auth import Authenticator
from ytc_index.backend import FreshFileBackend
from ytc_index.gate import AccessGate
from ytc_index.names import NamePolicy, release_key
from ytc_index.registry import PrivateNames
from ytc_index.releases import YANKED_NAME, read_yanked
from ytc_index.settings import IndexSettings
from ytc_index.state import migrate_state

_SIMPLE_PROJECT = re.compile(r"^/simple/(?P<name>[^/]+)/?$")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class PrivateNameGuard:
    """Answers 404 (never a redirect upstream) for a private name without files."""

    def __init__(self, app: WSGIApp, backend: FreshFileBackend, names: PrivateNames) -> None:
        self.app = app
        self.backend = backend
        self.names = names
        # Which process answered (one waitress process; its threads share the backend).
        self.worker_header = ("X-Index-Worker", str(os.getpid()))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        match = _SIMPLE_PROJECT.match(environ.get("PATH_INFO", ""))
        if match and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            name = match["name"]
            if not self.backend.find_project_packages(name) and self.names.is_private(name):
                body = (
                    f"Not Found: {name} is a private project with no files on this index; "
                    "it is never looked up upstream.\n"
                ).encode()
                start_response(
                    "404 Not Found",
                    [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), self.worker_header],
                )
                return [body]

        def with_worker(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.append(self.worker_header)
            return start_response(status, headers, exc_info)

        return self.app(environ, with_worker)


def _consume(app: WSGIApp, environ: dict[str, Any], start_response: Callable[..., Any]) -> bytes:
    """The whole body of `app`; its iterable is closed after, as WSGI requires of
    whoever consumes it (also when reading it fails)."""
    result = app(environ, start_response)
    try:
        return b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


class RootPageCache:
    """`GET /simple/` rendered once per listing: pypiserver renders every project
    through its template on each request (tens of ms at 10,000 projects)."""

    def __init__(self, app: WSGIApp, backend: FreshFileBackend) -> None:
        self.app = app
        self.backend = backend
        self._page: tuple[object, str, list[tuple[str, str]], bytes] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/simple/" or environ.get("REQUEST_METHOD") != "GET":
            return self.app(environ, start_response)
        listing = self.backend.listing()
        page = self._page
        if page is None or page[0] is not listing:
            captured: dict[str, Any] = {}

            def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., None]:
                captured.update(status=status, headers=headers)
                return lambda _data: None

            body = _consume(self.app, environ, capture)
            if not captured["status"].startswith("200"):
                start_response(captured["status"], captured["headers"])
                return [body]
            page = (listing, captured["status"], captured["headers"], body)
            self._page = page
        start_response(page[1], list(page[2]))
        return [page[3]]


class FastDownloads:
    """`GET|HEAD /packages/<file>` served straight from the listing: pypiserver's
    download route compares the name with every package (ms at 10,000 files).
    Conditional and range requests, and names not listed, still go to pypiserver."""

    _DEFER = ("HTTP_RANGE", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_NONE_MATCH", "HTTP_IF_RANGE")

    def __init__(self, app: WSGIApp, backend: FreshFileBackend) -> None:
        self.app = app
        self.backend = backend

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD")
        if not path.startswith("/packages/") or method not in ("GET", "HEAD") or any(k in environ for k in self._DEFER):
            return self.app(environ, start_response)
        pkg = self.backend.find_file(path[len("/packages/") :])
        if pkg is None or pkg.fn is None:
            return self.app(environ, start_response)
        try:
            fh = open(pkg.fn, "rb")  # noqa: SIM115 - handed to the server, which closes it
        except FileNotFoundError:
            return self.app(environ, start_response)
        st = os.fstat(fh.fileno())
        # The same headers pypiserver's static_file sends (explicit type, no Content-Encoding).
        start_response(
            "200 OK",
            [
                ("Content-Type", mimetypes.guess_type(pkg.fn)[0] or "application/octet-stream"),
                ("Content-Length", str(st.st_size)),
                ("Last-Modified", formatdate(st.st_mtime, usegmt=True)),
                ("Accept-Ranges", "bytes"),
            ],
        )
        if method == "HEAD":
            fh.close()
            return [b""]
        wrapper = environ.get("wsgi.file_wrapper")
        return wrapper(fh, 1 << 16) if wrapper else _chunks(fh)


def _chunks(fh: Any) -> Iterator[bytes]:
    with fh:
        yield from iter(lambda: fh.read(1 << 16), b"")


class YankMarks:
    """PEP 592: files of a version the operator yanked (`ytc-release index yank`)
    carry `data-yanked` on the project page, so pip skips them unless pinned."""

    _LINK = re.compile(r'<a href="([^"]*)">([^<]+)</a>')

    def __init__(self, app: WSGIApp, state: Path) -> None:
        self.app = app
        self.yanked_file = state / YANKED_NAME
        self._cache: tuple[tuple[int, int] | None, dict[tuple[str, str], str]] = (None, {})

    def _yanked(self) -> dict[tuple[str, str], str]:
        try:
            st = self.yanked_file.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != self._cache[0]:
            self._cache = (stamp, read_yanked(self.yanked_file.parent) if stamp else {})
        return self._cache[1]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        match = _SIMPLE_PROJECT.match(environ.get("PATH_INFO", ""))
        yanked = self._yanked() if match and environ.get("REQUEST_METHOD") == "GET" else {}
        if not yanked or not any(p == normalize_pkgname(match["name"]) for p, _ in yanked):  # type: ignore[index]
            return self.app(environ, start_response)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[..., None]:
            captured.update(status=status, headers=headers)
            return lambda _data: None

        body = _consume(self.app, environ, capture)
        if captured["status"].startswith("200"):

            def mark(link: re.Match[str]) -> str:
                key = release_key(html.unescape(link[2]))
                reason = yanked.get(key) if key else None
                if reason is None:
                    return link[0]
                return f'<a href="{link[1]}" data-yanked="{html.escape(reason, quote=True)}">{link[2]}</a>'

            body = self._LINK.sub(mark, body.decode("utf-8")).encode("utf-8")
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]


def create_app(settings: IndexSettings | None = None) -> WSGIApp:
    settings = settings or IndexSettings.from_env()
    settings.validate()
    assert settings.htpasswd is not None  # validate() insists
    settings.packages.mkdir(parents=True, exist_ok=True)
    authenticator = Authenticator(
        settings.htpasswd, settings.max_failures, settings.failure_window, max_waiting=max(2, settings.threads // 4)
    )
    # Config.default_with_overrides() would first build the stock "auto" backend, whose
    # watchdog observer (idle threads, one per app) serves nothing here: ours replaces it.
    base = Config.from_args(["run", "--backend", "simple-dir"])
    assert isinstance(base, RunConfig)
    config = base.with_updates(
        roots=[settings.packages.resolve()],
        authenticate=list(settings.authenticate),
        password_file=str(settings.htpasswd),
        auther=authenticator.allowed,
        fallback_url=settings.fallback_url,
        disable_fallback=False,
        overwrite=False,
        hash_algo="sha256",
        health_endpoint="/health",
        host=settings.host,
        port=settings.port,
    )
    state = settings.state
    migrate_state(settings.packages, state)  # an older index's state files; refuses if both exist
    # Names we accept uploads for are ours: never looked up upstream either.
    names = PrivateNames(state, (*settings.reserved, *settings.allow))
    backend = FreshFileBackend(
        config, settings.packages, state, names, NamePolicy(settings.reserved, settings.allow), settings.release_window
    )
    config.backend = BackendProxy(backend)
    app: WSGIApp = pypiserver.setup_routes_from_config(pypiserver.app_from_config(config), config)
    # With list/download auth, those requests go through pypiserver's check.
    if "list" not in settings.authenticate:
        app = RootPageCache(app, backend)
    if "download" not in settings.authenticate:
        app = FastDownloads(app, backend)
    app = YankMarks(app, state)
    # The gate is outermost: logins and whole uploads before any name-dependent answer.
    return AccessGate(PrivateNameGuard(app, backend, names), settings, authenticator)
