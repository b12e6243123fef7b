"""The two ways ytc_index (and the release tool's account commands) write files:
append one JSON line, or replace a whole file atomically."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path


def append_json_line(path: Path, record: dict[str, object], mode: int = 0o644) -> None:
    """Append `record` as one JSON line. O_APPEND with a single write keeps the
    lines of concurrent writers whole; fsync before returning, so an
    acknowledged act survives a crash. `mode` applies when the file is created."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, mode)
    try:
        os.write(fd, (json.dumps(record, sort_keys=True) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file(path: Path, data: bytes, mode: int = 0o600, durable: bool = True) -> None:
    """Write `data` beside `path` under a unique temp name (two writers never
    share one), fsync, then rename over `path`: a reader sees the old file or
    the new one, never half of one. An existing file's mode and, when run as
    root, its owner (e.g. the index container's uid) are kept; a new file gets `mode`.
    `durable=False` skips the fsync: still atomic for readers, for files rebuilt
    at every start anyway (the static pages), where 100,000 fsyncs would cost minutes."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        with contextlib.suppress(FileNotFoundError):
            old = path.stat()
            os.chmod(tmp, old.st_mode & 0o777)
            if os.geteuid() == 0:
                os.chown(tmp, old.st_uid, old.st_gid)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
