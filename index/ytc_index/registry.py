"""Every project name the index has ever held, kept in the index's state folder.

Stock pypiserver redirects `/simple/<name>/` upstream as soon as a project has
no files, so a removed private project would be served by whoever registered
the name publicly. A name recorded here is answered with 404 forever."""

from __future__ import annotations

import fnmatch
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from pypiserver.pkg_helpers import normalize_pkgname

from ytc_index.state import PRIVATE_NAMES as REGISTRY_NAME


class PrivateNames:
    def __init__(self, state: Path, reserved: Iterable[str]) -> None:
        self.path = state / REGISTRY_NAME
        self.reserved = tuple(normalize_pkgname(p) for p in reserved)
        self._lock = threading.Lock()
        self._names: set[str] = set()
        self._mtime_ns: int | None = None

    def ensure_file(self) -> None:
        """Create the (empty) registry up front (an empty file: no name yet)."""
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.close(fd)

    def _reload(self) -> None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return
        if st.st_mtime_ns != self._mtime_ns:
            self._names = set(self.path.read_text(encoding="utf-8").split())
            self._mtime_ns = st.st_mtime_ns

    def record(self, names: Iterable[str]) -> None:
        """Append names not yet known. O_APPEND keeps concurrent writers' lines whole."""
        with self._lock:
            self._reload()
            new = sorted({normalize_pkgname(n) for n in names} - self._names)
            if not new:
                return
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, "".join(f"{n}\n" for n in new).encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            self._names.update(new)

    def is_private(self, name: str) -> bool:
        norm = normalize_pkgname(name)
        if any(fnmatch.fnmatchcase(norm, pattern) for pattern in self.reserved):
            return True
        with self._lock:
            self._reload()
            return norm in self._names
