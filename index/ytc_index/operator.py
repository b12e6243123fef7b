"""Operator acts on the index host: remove or yank a version, working on the
package folder directly (never over HTTP), each logged to an append-only
`operations.log` beside the package folder (not in it: it is not served).
The journal, yank marks and lock are the server's, in its state folder
(state.py: YTC_INDEX_STATE_DIR, default `<packages>/../state`)."""

from __future__ import annotations

import errno
import getpass
import os
import time
from pathlib import Path

from pypiserver.pkg_helpers import is_listed_path, normalize_pkgname

from ytc_index import people_pages
from ytc_index.files import append_json_line
from ytc_index.names import release_key
from ytc_index.pages import FACTS_DIR, SIMPLE_DIR, PageWriter, pages_dir_for
from ytc_index.releases import JOURNAL_NAME, LOCK_NAME, YANKED_NAME, append_record, upload_lock
from ytc_index.state import StateConflict, migrate_state, state_dir_for

LOG_NAME = "operations.log"


class OperatorError(ValueError):
    """The act cannot be done; the message says why and what to do."""


def operations_log(packages: Path) -> Path:
    return packages.resolve().parent / LOG_NAME


def version_files(packages: Path, project: str, version: str) -> list[Path]:
    """The files of one release, as pip reads filenames (build and platform tags included)."""
    key = release_key(f"{project}-{version}.tar.gz")
    if key is None:
        raise OperatorError(f"{project} {version} is not a valid project name and version")
    found = []

    def unreadable(err: OSError) -> None:  # a folder this user cannot read is an error, not "no files"
        raise err

    for directory, dirs, files in os.walk(packages, onerror=unreadable):
        dirs[:] = [d for d in dirs if is_listed_path(d)]
        found.extend(Path(directory) / n for n in files if is_listed_path(n) and release_key(n) == key)
    return sorted(found)


def _rewrite_pages(packages: Path, state: Path, project: str) -> None:
    """The project's static pages after the act (call under the upload lock): the
    server and nginx serve them as they are, without a restart."""
    PageWriter(packages, state, pages_dir_for(packages)).sync_project(normalize_pkgname(project))


def _keep_owner(packages: Path, state: Path, project: str) -> None:
    """Run as root, files this act created or replaced in the state and pages folders get
    the package folder's owner, so that the server (e.g. uid 10002 in the container) can still write them."""
    if os.geteuid() != 0:
        return
    st = packages.stat()
    static = pages_dir_for(packages)
    pages = static / SIMPLE_DIR
    project = normalize_pkgname(project)
    paths = [state / name for name in (JOURNAL_NAME, YANKED_NAME, LOCK_NAME)]
    paths += [state / FACTS_DIR, state / FACTS_DIR / f"{project}.json", static, pages, pages / project]
    paths += [p for d in (pages, pages / project) if d.is_dir() for p in d.iterdir() if p.is_file()]
    paths += people_pages.owned_paths(static, project)
    for path in paths:
        if path.exists() and path.stat().st_uid != st.st_uid:
            os.chown(path, st.st_uid, st.st_gid)


def _log(packages: Path, record: dict[str, object]) -> None:
    record = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "operator": getpass.getuser()} | record
    append_json_line(operations_log(packages), record, mode=0o640)


def _state(packages: Path) -> Path:
    """The state folder, with an older index's state files moved into it first."""
    if not packages.is_dir():
        raise OperatorError(f"there is no package folder at {packages}: pass the index's folder with --packages")
    state = state_dir_for(packages)
    if not state.is_dir():
        raise OperatorError(
            f"there is no state folder at {state}: start the index once (it creates it), "
            "or set YTC_INDEX_STATE_DIR to the index's state folder"
        )
    try:
        migrate_state(packages, state)
    except StateConflict as err:
        raise OperatorError(str(err)) from None
    return state


def _existing(packages: Path, state: Path, project: str, version: str) -> list[Path]:
    files = version_files(packages, project, version)
    if not files:
        raise OperatorError(f"{normalize_pkgname(project)} {version} has no files in {packages}")
    _check_writable(packages, state, files)
    return files


def _check_writable(packages: Path, state: Path, files: list[Path]) -> None:
    """Refuse before the act, not half-way through it (a logged removal that
    removed nothing): PermissionError names the first path this user cannot change."""
    log = operations_log(packages)
    targets = [packages, state, *{f.parent for f in files}, log if log.exists() else log.parent]
    targets += [p for p in (state / JOURNAL_NAME, state / YANKED_NAME) if p.exists()]
    for path in targets:
        if not os.access(path, os.W_OK):
            raise PermissionError(errno.EACCES, "permission denied (cannot write)", str(path))


def remove_version(packages: Path, project: str, version: str, reason: str) -> list[Path]:
    """Delete every file of (project, version). The version stays burned: it can
    never be uploaded again (the journal keeps it)."""
    state = _state(packages)
    with upload_lock(state):
        files = _existing(packages, state, project, version)
        _log(
            packages,
            {"act": "remove", "project": normalize_pkgname(project), "version": version}
            | {"files": [f.name for f in files], "reason": reason},
        )
        for path in files:
            path.unlink()
        _rewrite_pages(packages, state, project)
        append_record(
            state,
            {"op": "remove", "time": time.time(), "project": normalize_pkgname(project)}
            | {"version": version, "files": [f.name for f in files]},
        )
    _keep_owner(packages, state, project)
    return files


def yank_version(packages: Path, project: str, version: str, reason: str, undo: bool = False) -> list[Path]:
    """Mark (project, version) yanked (PEP 592: listed with data-yanked; pip
    only installs it when pinned exactly), or clear the mark with `undo`."""
    state = _state(packages)
    with upload_lock(state):
        files = _existing(packages, state, project, version)
        project, version = release_key(files[0].name) or (project, version)
        act = "unyank" if undo else "yank"
        _log(packages, {"act": act, "project": normalize_pkgname(project), "version": version, "reason": reason})
        line = {"project": normalize_pkgname(project), "version": version, "reason": reason, "yanked": not undo}
        append_json_line(state / YANKED_NAME, line)
        _rewrite_pages(packages, state, project)
    _keep_owner(packages, state, project)
    return files
