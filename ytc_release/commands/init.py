"""`ytc-release init`: find the library and the services, write the [tool.ytc-release] table."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="find the library and the services here and write the [tool.ytc-release] table")
    p.add_argument("--dry-run", action="store_true", help="print what it would write as a diff; write nothing")
    p.add_argument("--library", metavar="FOLDER", help="the library's folder (default: the one services copy)")
    p.add_argument("--distribution", metavar="NAME", help="its distribution name (default: what it declares)")
    p.add_argument(
        "--import-name",
        metavar="NAME",
        help="its import package (default: the one it installs today, so no service code changes)",
    )
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.init.plan import apply, diff, plan_init

    report = settings.report
    root = Path(settings.repo_root or Path.cwd())
    plan = plan_init(root, library=args.library, distribution=args.distribution, import_name=args.import_name)
    report.say(f"library:      {plan.library}/ -> {plan.distribution} (import {', '.join(plan.import_names)})")
    report.say(f"version from: {plan.version_file}")
    report.say(f"services:     {len(plan.found_services)} ({', '.join(plan.services) or 'none'})")
    for service, why in plan.found_services.items():
        report.detail(f"{service}: {why}")
    for note in plan.notes:
        report.say(f"note: {note}")
    if args.dry_run:
        print(diff(plan), end="", flush=True)
        report.say("dry run: nothing was written")
        return 0
    apply(plan)
    for path in plan.writes:
        report.say(f"wrote {path.relative_to(plan.root).as_posix()}")
    for path in plan.removes:
        report.say(f"removed {path.relative_to(plan.root).as_posix()}")
    report.say(
        "next: commit these files, then `ytc-release release` (publishes the library), then "
        "`ytc-release migrate " + " ".join(plan.services or ["SERVICE"]) + "`"
    )
    return 0
