"""Where the index keeps its own state: a folder beside the packages, never in it.

The packages folder holds only files the index serves. The private-names
registry, the upload journal, the yank marks and the upload lock live in the
state folder (YTC_INDEX_STATE_DIR; default `<packages>/../state`). An index
from before this layout kept them in the packages folder as hidden files:
`migrate_state` moves them over once, at start, and never overwrites one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

STATE_ENV = "YTC_INDEX_STATE_DIR"
PRIVATE_NAMES = "private-projects"
JOURNAL = "uploads.jsonl"
YANKED = "yanked.jsonl"
LOCK = "upload.lock"
# Old name in the packages folder -> name in the state folder.
LEGACY = {
    ".ytc-private-projects": PRIVATE_NAMES,
    ".ytc-uploads": JOURNAL,
    ".ytc-yanked": YANKED,
    ".ytc-upload.lock": LOCK,
}


class StateConflict(RuntimeError):
    """Old and new state files both exist: merging them is the operator's call."""


def default_state_dir(packages: Path) -> Path:
    return packages.resolve().parent / "state"


def state_dir_for(packages: Path, env: dict[str, str] | None = None) -> Path:
    """The state folder of the index serving `packages` (YTC_INDEX_STATE_DIR wins)."""
    configured = (os.environ if env is None else env).get(STATE_ENV, "")
    return Path(configured) if configured else default_state_dir(packages)


def migrate_state(packages: Path, state: Path) -> list[str]:
    """Move an older index's state files from `packages` to `state`; return the
    names moved. Refuses (StateConflict, nothing moved) if any exists in both."""
    if not state.exists():
        state.mkdir(parents=True, mode=0o700)  # the journal names the accounts: private from the start
    old = {name: packages / name for name in LEGACY if (packages / name).is_file()}
    both = [f"{path} and {state / LEGACY[name]}" for name, path in old.items() if (state / LEGACY[name]).exists()]
    if both:
        raise StateConflict(
            "the index's state exists twice: "
            + "; ".join(both)
            + ". Keep the right copy (for journals and names: merge the lines of both), remove the copy in the "
            "packages folder, then start again (index/README.md, 'Upgrade')"
        )
    for name, path in old.items():
        target = state / LEGACY[name]
        if name == ".ytc-upload.lock":  # holds nothing; the new one is created on demand
            path.unlink()
            continue
        # rename on one file system; else copy then remove (shutil.move): the copy exists before the original goes.
        shutil.move(str(path), str(target))
    if old:
        _fsync_dir(state)
        _fsync_dir(packages)
    return sorted(old)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
