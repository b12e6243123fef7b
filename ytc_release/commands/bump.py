"""`ytc-release bump`: the next version, and a CHANGELOG entry opened for it."""

from __future__ import annotations

import argparse

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bump", help="bump the version and open a CHANGELOG entry")
    p.add_argument("part", help="patch, minor, major or an explicit X.Y.Z")
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.pipeline.bump import bump

    old, new = bump(settings.lay, args.part)
    settings.report.say(
        f"version {old} -> {new}; CHANGELOG entry opened for {new}: describe the change before releasing"
    )
    return 0
