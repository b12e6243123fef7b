"""`ytc-release smoke`: a service installed from the index starts with Redis and answers /health."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction, repo_help: str) -> None:
    p = sub.add_parser("smoke", help="install a service from the index, start it with Redis, require GET /health 200")
    p.add_argument("dirs", nargs="+", metavar="DIR", help="a service folder (Dockerfile + requirements.txt)")
    p.add_argument("--repository", help=repo_help)
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for /health (default 60)")
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.services.smoke import smoke

    return smoke([Path(d) for d in args.dirs], settings, timeout=args.timeout)
