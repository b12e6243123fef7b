"""The two ways ytc_index (and the release tool's account commands) write files:
append one JSON line, or replace a whole file atomically; and the one walk over
the listed (non-hidden) files of a package folder."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pypiserver.pkg_helpers import is_listed_path


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


def listed_files(root: str, folders: dict[str, int] | None = None) -> Iterator[os.DirEntry[str]]:
    """Every regular file below `root` whose path has no hidden part (pypiserver's rule:
    temp files, `.incoming`) and no symbolic link (a link to the accounts file or to /etc
    is never listed). `folders`, if given, receives each folder's mtime_ns."""
    stack = [root]
    while stack:
        directory = stack.pop()
        if folders is not None:
            folders[directory] = os.stat(directory).st_mtime_ns
        with os.scandir(directory) as entries:
            for entry in entries:
                if not is_listed_path(entry.name):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    yield entry
