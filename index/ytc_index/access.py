"""Which reads are open, told to the web server in front through marker files.

At every start the app writes `<static>/access/open-list` and `open-download` for
the reads YTC_INDEX_AUTHENTICATE leaves open, and removes the others' markers.
nginx (index/nginx/ytc-index.conf.template) serves a read whose marker exists
without asking the app, so open reads survive an app that is down or being
upgraded; without a marker it asks the app, so a missing or stale-closed marker
can only cost availability, never open a protected read. The app's one setting
stays the only place that says which reads need a login."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

ACCESS_DIR = "access"
READS = ("list", "download")


def marker(static: Path, action: str) -> Path:
    return static / ACCESS_DIR / f"open-{action}"


def publish_open_reads(static: Path, authenticate: Iterable[str]) -> None:
    """Markers for the open reads; protected reads' markers removed first (fail closed)."""
    protected = set(authenticate)
    for action in READS:
        if action in protected:
            with contextlib.suppress(FileNotFoundError):
                marker(static, action).unlink()
    (static / ACCESS_DIR).mkdir(parents=True, exist_ok=True)
    for action in READS:
        if action not in protected:
            marker(static, action).write_text(f"{action} needs no login (YTC_INDEX_AUTHENTICATE)\n")
