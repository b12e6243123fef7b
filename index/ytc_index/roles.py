"""Account roles, kept beside the htpasswd file in `<htpasswd>.roles` (lines `name:role`).

htpasswd has no room for a role, and pypiserver treats every account alike. An
account without a line here is a `reader`: the least privilege is the default."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ytc_index.files import replace_file

log = logging.getLogger("ytc_index")

READER = "reader"
PUBLISHER = "publisher"
ROLES = (READER, PUBLISHER)


def roles_path(htpasswd: Path) -> Path:
    return htpasswd.with_name(htpasswd.name + ".roles")


def read_roles(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    roles: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, role = line.strip().partition(":")
        if sep and role in ROLES:
            roles[name] = role
    return roles


def write_roles(path: Path, roles: dict[str, str]) -> None:
    """Replace the roles file atomically, keeping its mode and owner (files.replace_file)."""
    replace_file(path, "".join(f"{name}:{role}\n" for name, role in sorted(roles.items())).encode("utf-8"))


class RoleFile:
    """The roles file as the server sees it: re-read when it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._roles: dict[str, str] = {}

    def role_of(self, user: str) -> str:
        with self._lock:
            try:
                st = self.path.stat()
                stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_ino)
            except FileNotFoundError:
                stamp = None
            if stamp != self._stamp:
                try:
                    self._roles = read_roles(self.path) if stamp else {}
                except OSError as err:  # fail closed: nobody publishes until the file is readable
                    log.error(
                        "cannot read %s (%s): every account is a reader; chown it to the index's user", self.path, err
                    )
                    self._roles = {}
                self._stamp = stamp
            return self._roles.get(user, READER)
