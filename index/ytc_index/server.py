"""Run the index under waitress: `python -m ytc_index`.

waitress reads every request (headers and body) in its event loop before a
worker thread sees it, so a slow or stalled client costs a socket, not a
thread, and an upload cut off mid-body never reaches the application. See
index/README.md ("Why waitress") for the measurements behind this choice."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import re
import resource
import sys
from collections.abc import Sequence
from dataclasses import replace

import waitress
import waitress.channel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.utilities import Error

from ytc_index.app import create_app
from ytc_index.backend import remove_stale_uploads
from ytc_index.settings import SETTINGS, IndexSettings
from ytc_index.state import StateConflict, migrate_state

log = logging.getLogger("ytc_index")
# waitress matches each header line with a regular expression whose time grows with the square
# of a run of spaces (60,000 spaces: 20 s of its event loop, every client waiting): refused first.
_LONG_BLANK_RUN = re.compile(rb"[ \t]{65}")


class LoginRequired(Error):
    code = 401
    reason = "Unauthorized"

    def to_response(self, ident: str | None = None) -> tuple[str, list[tuple[str, str]], bytes]:
        status, headers, body = super().to_response(ident)
        return status, [*headers, ("WWW-Authenticate", 'Basic realm="pypi"')], body


class BoundedHeadParser(HTTPRequestParser):
    """waitress's parser, refusing from the head alone, before any of the body is read:
    - a head with more than 64 spaces or tabs in a row (400);
    - an upload (a POST with a body, other than /RPC2) without a Basic login (401): its
      body would otherwise be buffered (to a temp file) before the gate could refuse it."""

    def parse_header(self, header_plus: bytes) -> None:
        if _LONG_BLANK_RUN.search(header_plus):
            raise ParsingError("a header holds more than 64 spaces or tabs in a row")
        super().parse_header(header_plus)
        has_body = self.content_length > 0 or self.chunked
        anonymous = not self.headers.get("AUTHORIZATION", "").lower().startswith("basic ")
        if self.command == "POST" and has_body and anonymous and self.path.rstrip("/") != "/RPC2":
            self.error = LoginRequired("uploads need a publisher login: give twine an account (see index/README.md)")
            self.body_rcv = None  # the body is never read: the connection closes after the answer
            self.content_length = 0


def parse_args(argv: Sequence[str] | None, base: IndexSettings) -> IndexSettings:
    """Command-line options over `base` (from the environment): one option per declared setting."""
    parser = argparse.ArgumentParser(prog="python -m ytc_index", description="The ytcaption private index.")
    for setting in SETTINGS:
        parser.add_argument(
            setting.option, dest=setting.name, metavar=setting.name.upper(), help=f"{setting.help} (env {setting.env})"
        )
    args = vars(parser.parse_args(argv))
    return replace(base, **{s.name: s.from_text(args[s.name]) for s in SETTINGS if args[s.name] is not None})


def _room_for_connections(wanted: int) -> int:
    """Raise the open-file limit so `wanted` connections fit; return what fits."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = wanted + 64  # log, packages, the listening socket, waitress's trigger pipe
    if soft != resource.RLIM_INFINITY and soft < need:
        new_soft = need if hard == resource.RLIM_INFINITY else min(need, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
        soft = new_soft
    return wanted if soft == resource.RLIM_INFINITY else max(1, min(wanted, soft - 64))


def main(argv: Sequence[str] | None = None) -> None:
    try:
        settings = parse_args(argv, IndexSettings.from_env())
        settings.validate()
    except ValueError as err:
        sys.exit(f"ytc_index: refusing to start: {err}")
    # A log file is reopened when it was moved away (logrotate without copytruncate);
    # without one, the log goes to standard error, which the container runtime rotates.
    handler: logging.Handler = (
        logging.handlers.WatchedFileHandler(settings.log_file) if settings.log_file else logging.StreamHandler()
    )
    logging.basicConfig(level=logging.INFO, handlers=[handler], format="%(asctime)s %(name)s %(levelname)s %(message)s")
    settings.packages.mkdir(parents=True, exist_ok=True)
    try:
        for name in migrate_state(settings.packages, settings.state):
            log.warning("moved %s from %s to the state folder %s", name, settings.packages, settings.state)
    except StateConflict as err:
        sys.exit(f"ytc_index: refusing to start: {err}")
    for stale in remove_stale_uploads(settings.packages):
        log.warning("removed the partial upload %s left by an interrupted upload", stale.name)
    app = create_app(settings)
    limit = _room_for_connections(settings.connection_limit)
    waitress.channel.HTTPChannel.parser_class = BoundedHeadParser  # this process's only server
    waitress.serve(
        app,
        host=settings.host,
        port=settings.port,
        threads=settings.threads,
        ident="ytc-index",
        connection_limit=limit,
        # Idle connections (a stalled header or body included) are closed after this.
        channel_timeout=settings.channel_timeout,
        cleanup_interval=min(10, settings.channel_timeout),
        # poll(): select() cannot watch more than 1024 sockets.
        asyncore_use_poll=True,
        backlog=1024,
        max_request_body_size=settings.max_upload_mb * 1024 * 1024 + 1024 * 1024,
        # Bounded: waitress parses a head in its event loop, and a huge one stalls every client.
        max_request_header_size=settings.max_header_kb * 1024,
        # Never show a traceback to a client.
        expose_tracebacks=False,
    )
