"""The WSGI application: pypiserver's HTTP API with our backend, a guard that
never sends a private name upstream, and cached authentication."""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Callable, Iterable, Iterator
from email.utils import formatdate
from typing import Any

import pypiserver
from pypiserver.backend import BackendProxy
from pypiserver.config import Config

from ytc_index.auth import cached_auther
from ytc_index.backend import FreshFileBackend
from ytc_index.registry import PrivateNames
from ytc_index.settings import IndexSettings

_SIMPLE_PROJECT = re.compile(r"^/simple/(?P<name>[^/]+)/?$")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class PrivateNameGuard:
    """Answers 404 (never a redirect upstream) for a private name without files."""

    def __init__(self, app: WSGIApp, backend: FreshFileBackend, names: PrivateNames) -> None:
        self.app = app
        self.backend = backend
        self.names = names
        # Which worker answered: lets operators (and tests) see that every worker is fresh.
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

            body = b"".join(self.app(environ, capture))
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


def create_app(settings: IndexSettings | None = None) -> WSGIApp:
    settings = settings or IndexSettings.from_env()
    settings.validate()
    settings.packages.mkdir(parents=True, exist_ok=True)
    config = Config.default_with_overrides(
        roots=[settings.packages.resolve()],
        authenticate=list(settings.authenticate),
        password_file=str(settings.htpasswd) if settings.htpasswd else ".",
        auther=cached_auther(settings.htpasswd) if settings.htpasswd else None,
        fallback_url=settings.fallback_url,
        disable_fallback=False,
        overwrite=False,
        hash_algo="sha256",
        health_endpoint="/health",
        host=settings.host,
        port=settings.port,
    )
    names = PrivateNames(settings.packages.resolve(), settings.reserved)
    backend = FreshFileBackend(config, settings.packages, names)
    config.backend = BackendProxy(backend)
    app: WSGIApp = pypiserver.setup_routes_from_config(pypiserver.app_from_config(config), config)
    # With list/download auth, those requests go through pypiserver's check.
    if "list" not in settings.authenticate:
        app = RootPageCache(app, backend)
    if "download" not in settings.authenticate:
        app = FastDownloads(app, backend)
    return PrivateNameGuard(app, backend, names)
