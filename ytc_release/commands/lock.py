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
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.services import locking, pins

    report = settings.report
    services = [Path(d).resolve() for d in args.dirs] or pins.discover_services(settings.lay)
    target = settings.index(start=True, report=report)
    assert target is not None
    for service in services:
        with report.step(f"lock {service.name} ({locking.LOCK_FILE})"):
            changed = locking.lock_service(service, target, upgrade=args.upgrade, python_fallback=settings.lock_python)
            report.detail("updated" if changed else "already current")
    return 0
