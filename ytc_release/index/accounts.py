"""Index accounts in an htpasswd file (bcrypt, through passlib), and their
roles in `<htpasswd>.roles` (reader: list and download; publisher: upload too)."""

from __future__ import annotations

import secrets
from pathlib import Path

from passlib.apache import HtpasswdFile

from ytc_index.files import replace_file
from ytc_index.roles import READER, ROLES, read_roles, roles_path, write_roles
from ytc_release.errors import AccountError


def generate_password() -> str:
    return secrets.token_urlsafe(24)


def _open(htpasswd: Path, create: bool = False) -> HtpasswdFile:
    if not htpasswd.is_file():
        if not create:
            raise AccountError(f"no htpasswd file at {htpasswd}", "run `ytc-release index up` once to create it")
        htpasswd.parent.mkdir(parents=True, exist_ok=True)
        return HtpasswdFile(str(htpasswd), new=True, default_scheme="bcrypt")
    return HtpasswdFile(str(htpasswd), default_scheme="bcrypt")


def _save(users: HtpasswdFile, htpasswd: Path) -> None:
    # Atomically (the server never reads a half-written file), keeping the old
    # file's owner (e.g. the index container's uid) and mode.
    replace_file(htpasswd, users.to_string())


def set_user(htpasswd: Path, name: str, password: str, role: str | None = None) -> None:
    """Create or reset an account. `role` None keeps an existing account's role
    (a new account is a reader)."""
    if not name or ":" in name or name.strip() != name:
        raise AccountError(f"invalid user name {name!r}", "use a name without ':' or surrounding spaces")
    if len(password) < 12:
        raise AccountError("the password is shorter than 12 characters", "choose a longer password")
    if len(password.encode()) > 72:
        raise AccountError("the password is longer than 72 bytes (bcrypt ignores the rest)", "choose a shorter one")
    if role is not None and role not in ROLES:
        raise AccountError(f"unknown role {role!r}", f"use one of {', '.join(ROLES)}")
    users = _open(htpasswd, create=True)
    users.set_password(name, password)
    roles = read_roles(roles_path(htpasswd))
    new_role = role or roles.get(name, READER)
    if roles.get(name) != new_role:
        roles[name] = new_role
        write_roles(roles_path(htpasswd), roles)  # the role first: a new account is never briefly more
    _save(users, htpasswd)


def set_role(htpasswd: Path, name: str, role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}", f"use one of {', '.join(ROLES)}")
    if name not in _open(htpasswd).users():
        raise AccountError(f"there is no user {name!r} in {htpasswd}")
    roles = read_roles(roles_path(htpasswd))
    roles[name] = role
    write_roles(roles_path(htpasswd), roles)


def role_of(htpasswd: Path, name: str) -> str:
    return read_roles(roles_path(htpasswd)).get(name, READER)


def remove_user(htpasswd: Path, name: str) -> None:
    users = _open(htpasswd)
    if not users.delete(name):
        raise AccountError(f"there is no user {name!r} in {htpasswd}")
    _save(users, htpasswd)
    roles = read_roles(roles_path(htpasswd))
    if roles.pop(name, None) is not None:
        write_roles(roles_path(htpasswd), roles)


def list_users(htpasswd: Path) -> list[str]:
    return sorted(_open(htpasswd).users())


def list_accounts(htpasswd: Path) -> list[tuple[str, str]]:
    """[(name, role)]; an account without a role line is a reader."""
    roles = read_roles(roles_path(htpasswd))
    return [(name, roles.get(name, READER)) for name in list_users(htpasswd)]
