"""`ytc-release migrate`: service folders off a copied common/, onto the index."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction, repo_help: str) -> None:
    p = sub.add_parser("migrate", help="turn service folders that carry a copied common/ into ones that use the index")
    p.add_argument("dirs", nargs="+", metavar="DIR", help="a service folder (Dockerfile + requirements.txt)")
    p.add_argument("--dry-run", action="store_true", help="print the changes as a unified diff; write nothing")
    p.add_argument("--force", action="store_true", help="migrate even when the copy differs from the master common/")
    p.add_argument("--version", help="the ytcaption-common version to pin (default: the newest on the index)")
    p.add_argument("--repository", help=repo_help)
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.migration.migrate import migrate

    return migrate(
        [Path(d) for d in args.dirs],
        settings.report,
        version=args.version,
        dry_run=args.dry_run,
        force=args.force,
        settings=settings,
    )
