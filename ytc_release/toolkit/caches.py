"""The user's cache of things a release can reuse: venvs keyed by what they
hold, and marks for source trees whose tests passed. Everything here can be
deleted at any time; it is rebuilt on the next run."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ytc_release.toolkit.runner import run

_COMPLETE = ".ytc-complete"


def cache_root(kind: str, override: str | None = None) -> Path:
    """``$override`` when set (a test's own folder), else the XDG cache: ~/.cache/ytcaption/<kind>."""
    if override and os.environ.get(override):
        return Path(os.environ[override])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ytcaption" / kind


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside ``path``: two releases never fill one entry at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def cached_dir(path: Path, fill: Callable[[Path], None]) -> bool:
    """The folder ``path``, filled once by ``fill`` and marked complete only when it
    succeeded (a half-filled one is thrown away and filled again). True when it was reused."""
    with locked(path):
        if (path / _COMPLETE).exists():
            return True
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        fill(path)
        (path / _COMPLETE).touch()
        return False


def tree_digest(root: Path, paths: list[str], salt: str = "") -> str | None:
    """sha256 over the names and bytes of every file git would see under ``paths``
    (tracked, or untracked and not ignored), so an edit not yet committed counts.
    None when ``root`` is not a git checkout: then nothing is cached."""
    listing = run(
        ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *paths],
        merge_stderr=False,
    )
    if listing.returncode != 0:
        return None
    digest = hashlib.sha256(salt.encode() + b"\0")
    for name in sorted(set(filter(None, listing.stdout.split("\0")))):
        file = root / name
        if file.is_file():  # a deleted file still listed by the index
            digest.update(name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()
