"""`ytc-release lock`: each service's hash-locked requirements.lock."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction, repo_help: str) -> None:
    p = sub.add_parser("lock", help="compile each service's hash-locked requirements.lock from its requirements.txt")
    p.add_argument("dirs", nargs="*", metavar="DIR", help="service folders (default: every service)")
    p.add_argument("--upgrade", action="store_true", help="re-resolve everything, not only what must move")
    p.add_argument("--repository", help=repo_help)
    p.add_argument(
        "--require-provenance",
        action="store_true",
        help="refuse unless every file of each pinned library version was reproduced by `ytc-release provenance`",
    )
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.services import locking, pins

    report = settings.report
    services = [Path(d).resolve() for d in args.dirs] or pins.discover_services(settings.lay)
    target = settings.index(start=True, report=report)
    assert target is not None
    if args.require_provenance:
        from ytc_release.errors import LockError
        from ytc_release.provenance.locks import unproven_pins

        unproven = unproven_pins(settings.lay, services, target)
        if unproven:
            raise LockError(
                "--require-provenance: nothing was locked; " + "; ".join(unproven),
                "run `ytc-release provenance X.Y.Z` for the pinned version (it rebuilds it from its recorded "
                "commit and remembers the files it reproduced), then lock again",
            )
        report.detail("every pinned library file was reproduced from its recorded commit")
    for service in services:
        with report.step(f"lock {service.name} ({locking.LOCK_FILE})"):
            changed = locking.lock_service(service, target, upgrade=args.upgrade, python_fallback=settings.lock_python)
            report.detail("updated" if changed else "already current")
    return 0
