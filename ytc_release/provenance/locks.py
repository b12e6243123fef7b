"""Locks and provenance: a service lock should only allow library files that `ytc-release
provenance` rebuilt, bit for bit, from their recorded commit on this machine (reproduced.py)."""

from __future__ import annotations

from pathlib import Path

from ytc_release.index import client
from ytc_release.paths import Layout
from ytc_release.provenance.reproduced import reproduced_hashes
from ytc_release.services import locking, pins
from ytc_release.target import IndexTarget


def unproven_pins(lay: Layout, services: list[Path], target: IndexTarget) -> list[str]:
    """Services whose pinned library version has files on the index not reproduced here."""
    proven = reproduced_hashes()
    by_folder = {p.requirements.parent.resolve(): p for p in pins.read_pins(lay)}
    name = lay.project.distribution
    files_by_version: dict[str, list[client.IndexedFile]] = {}
    problems = []
    for service in services:
        pin = by_folder.get(service.resolve())
        if pin is None:
            continue
        if pin.version not in files_by_version:
            files_by_version[pin.version] = client.files_of_version(target, name, pin.version)
        unproven = [f.filename for f in files_by_version[pin.version] if f.sha256 not in proven]
        if unproven:
            problems.append(
                f"{service.relative_to(lay.root).as_posix()}: pins {name}=={pin.version}, whose "
                f"{', '.join(unproven)} was not rebuilt from its commit here"
            )
    return problems


def unproven_locks(lay: Layout) -> list[str]:
    """Offline: service locks that allow a library file not reproduced here."""
    proven = reproduced_hashes()
    problems = []
    for service in pins.discover_services(lay):
        lock = service / locking.LOCK_FILE
        if not lock.is_file():
            continue
        locked = locking.parse_lock(lock.read_text(encoding="utf-8")).get(lay.project.normalized)
        if locked is None:
            continue
        unproven = sorted(locked.hashes - proven)
        if unproven:
            problems.append(
                f"{lock.relative_to(lay.root).as_posix()}: locks {locked.name}=={locked.version} with "
                f"{len(unproven)} file hash(es) not reproduced from their commit (`ytc-release provenance "
                f"{locked.version}`)"
            )
    return problems
