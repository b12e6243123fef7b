"""The WSGI application: pypiserver's HTTP API with our backend, behind a gate
(logins, roles, whole uploads only). Reads come from static pages (pages.py)
that every upload, and every change made by hand, rewrites; static.py serves
them with the private-name guard and PEP 691 negotiation."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import pypiserver
from packaging.utils import canonicalize_name
from pypiserver.backend import BackendProxy
from pypiserver.config import Config, RunConfig

from ytc_index.access import publish_open_reads
from ytc_index.archives import ArchiveLimits
from ytc_index.auth import Authenticator
from ytc_index.backend import FreshFileBackend
from ytc_index.gate import AccessGate
from ytc_index.names import NamePolicy
from ytc_index.pages import PageWriter
from ytc_index.registry import PrivateNames
from ytc_index.releases import upload_lock
from ytc_index.settings import IndexSettings
from ytc_index.state import migrate_state
from ytc_index.static import StaticIndex

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WorkerHeader:
    """Says which process answered (one waitress process; its threads share the backend)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.header = ("X-Index-Worker", str(os.getpid()))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        def with_worker(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.append(self.header)
            return start_response(status, headers, exc_info)

        return self.app(environ, with_worker)


class NoBodyOnHead:
    """No answer to a HEAD carries a body, whichever layer wrote it: behind nginx's kept-alive
    upstream connections, stray bytes would be read as the start of the next answer."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        result = self.app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "HEAD":
            return result
        close = getattr(result, "close", None)
        if close is not None:
            close()
        return [b""]


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
    limits = ArchiveLimits(
        max_metadata=settings.max_metadata_kb * 1024,
        max_unpacked=settings.max_unpacked_mb * 1024 * 1024,
        owned={canonicalize_name(project): imports for project, imports in settings.owned_names},
    )
    policy = NamePolicy(settings.reserved, settings.allow)
    backend = FreshFileBackend(config, settings.packages, state, names, policy, settings.release_window, limits)
    config.backend = BackendProxy(backend)
    writer = PageWriter(settings.packages, state, settings.pages)
    backend.listing()  # the baseline first: a file copied in after it is a change the next read syncs
    with upload_lock(state):
        writer.rebuild()
    publish_open_reads(settings.pages, settings.authenticate)  # what nginx serves without asking the app

    def files_changed_by_hand(changed: dict[str, list[str]]) -> None:
        with upload_lock(state):
            for project, relpaths in changed.items():
                writer.sync_project(project, relpaths)

    backend.on_change = files_changed_by_hand
    # Already under the upload lock (backend.write_atomically).
    backend.on_upload = lambda project, filename, when: writer.sync_project(project, [filename], {filename: when})
    app: WSGIApp = pypiserver.setup_routes_from_config(pypiserver.app_from_config(config), config)
    app = StaticIndex(app, settings.pages, settings.packages, names, settings.fallback_url, backend.listing)
    # The gate is outermost: logins and whole uploads before any name-dependent answer.
    return NoBodyOnHead(AccessGate(WorkerHeader(app), settings, authenticator))
