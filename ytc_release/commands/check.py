"""`ytc-release check`: the repository keeps the pipeline's promises."""

from __future__ import annotations

import argparse

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction, repo_help: str) -> None:
    p = sub.add_parser("check", help="no copied common, pins on the index, safe install config, linters")
    p.add_argument("--repository", help=repo_help)
    p.add_argument("--no-tools", action="store_true", help="skip hadolint, the compose schema and workflow linters")
    p.add_argument("--offline", action="store_true", help="do not check the pins against an index")
    p.add_argument(
        "--require-provenance",
        action="store_true",
        help="fail on a service lock that allows a library file `ytc-release provenance` has not reproduced "
        "(without it, such locks are reported as notes)",
    )
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.checks.repository import run_checks

    return run_checks(
        settings.lay,
        settings.report,
        config=settings.config,
        tools=not args.no_tools,
        offline=args.offline,
        require_provenance=args.require_provenance,
    )
