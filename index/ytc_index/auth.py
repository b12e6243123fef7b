"""htpasswd checks that cost one bcrypt verification per credential, not per request."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

from passlib.apache import HtpasswdFile


def cached_auther(htpasswd: Path) -> Callable[[str, str], bool]:
    """An auther for pypiserver. Verified credentials are remembered (as a
    sha256, never in clear) until the htpasswd file changes."""
    users = HtpasswdFile(str(htpasswd))
    lock = threading.Lock()
    verified: set[tuple[str, str]] = set()

    def auther(username: str, password: str) -> bool:
        key = (username, hashlib.sha256(password.encode()).hexdigest())
        with lock:
            if users.load_if_changed():
                verified.clear()
            if key in verified:
                return True
        ok = bool(users.check_password(username, password))
        if ok:
            with lock:
                verified.add(key)
        return ok

    return auther
