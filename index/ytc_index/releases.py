"""Immutable releases: which file a (project, version) may still accept.

A release is the set of files of one (normalised name, version). It is open
from its first file until one of these closes it, whichever comes first:

- it holds one wheel and one sdist (a release is at most that pair);
- `release_window` seconds have passed since its first file.

While open it accepts only the missing kind (the other half of the pair), and
only from the account that uploaded the first file: another account's upload
is refused (with "started by another account") but does not close the
release, so its first account can still add the other half.

A version that was ever on the index (its files since removed by the operator)
accepts nothing: versions are never reused, so a hash pinned anywhere never
meets different bytes.

Every stored file is recorded in the upload journal in the index's state
folder (state.py; never in the package folder, never served), one JSON line
per upload, appended with O_APPEND.
The operator's `remove` adds a line too, so a removed version stays burned."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from pypiserver.pkg_helpers import normalize_pkgname

from ytc_index.files import append_json_line
from ytc_index.names import kind_of, same_version
from ytc_index.state import JOURNAL as JOURNAL_NAME
from ytc_index.state import LOCK as LOCK_NAME
from ytc_index.state import YANKED as YANKED_NAME


class Closed(Exception):
    """The release accepts no such file; the message says why and what to do."""


_held = threading.local()


@contextlib.contextmanager
def upload_lock(state: Path) -> Iterator[None]:
    """One upload (or page update) decides and writes at a time, across threads and
    processes. Re-entrant within a thread: flock on a second descriptor would wait for itself."""
    depth = getattr(_held, "depth", 0)
    if depth:
        _held.depth = depth + 1
        try:
            yield
        finally:
            _held.depth = depth
        return
    fd = os.open(state / LOCK_NAME, os.O_RDONLY | os.O_CREAT, 0o644)  # flock needs no write access
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _held.depth = 1
        yield
    finally:
        _held.depth = 0
        os.close(fd)  # closing drops the lock


def append_record(state: Path, record: dict[str, object]) -> None:
    """One line in the upload journal in the state folder `state`."""
    append_json_line(state / JOURNAL_NAME, record, mode=0o600)  # it names the accounts


def read_records(state: Path) -> list[dict[str, object]]:
    try:
        lines = (state / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    records = []
    for line in lines:
        with contextlib.suppress(ValueError):
            records.append(json.loads(line))
    return records


def admit(
    state: Path, project: str, version: str, filename: str, user: str, existing: list[str], window: float
) -> None:
    """Raise Closed unless `filename` may join release (project, version), whose
    files on disk are `existing`. Call under upload_lock."""
    project = normalize_pkgname(project)
    history = [
        r for r in read_records(state) if r.get("project") == project and same_version(str(r.get("version")), version)
    ]
    bump = "publish the change as a new version (`ytc-release bump patch`)"
    if not existing:
        if history:
            raise Closed(
                f"{project} {version} was published here before and removed by the operator; "
                f"versions are never reused: {bump}"
            )
        return
    first = min((r for r in history if r.get("op") == "upload"), key=lambda r: float(r["time"]), default=None)  # type: ignore[arg-type]
    kinds = [kind_of(f) for f in existing]
    why = None
    if len(existing) >= 2:
        why = "it already holds its wheel and sdist"
    elif kind_of(filename) in kinds:
        why = f"it already holds a {kinds[0]} ({existing[0]}); a release has one wheel and one sdist"
    elif first is None:
        why = "its files were placed by the operator"
    elif first.get("user") != user:
        why = f"it was started by another account ({first.get('user')!r})"
    elif time.time() - float(first["time"]) > window:  # type: ignore[arg-type]
        why = f"its first file is older than {int(window)} s (YTC_INDEX_RELEASE_WINDOW)"
    if why:
        raise Closed(f"{project} {version} is released and closed: {why}. Released files never change: {bump}")


def read_yanked(state: Path) -> dict[tuple[str, str], str]:
    """{(project, version): reason} from the operator's yank records."""
    yanked: dict[tuple[str, str], str] = {}
    try:
        lines = (state / YANKED_NAME).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return yanked
    for line in lines:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            record = json.loads(line)
            key = (normalize_pkgname(record["project"]), str(record["version"]))
            if record.get("yanked", True):
                yanked[key] = str(record.get("reason", ""))
            else:
                yanked.pop(key, None)
    return yanked
