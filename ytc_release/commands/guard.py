"""`ytc-release guard`: CI's guards on a tag and on a change of common/src."""

from __future__ import annotations

import argparse

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("guard", help="CI guards: --tag common-vX.Y.Z matches the source; --base REV: bumped if changed")
    p.add_argument("--tag", help="a release tag to compare with the source version")
    p.add_argument("--base", help="the commit to compare common/src with")
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.checks.guards import check_tag, check_version_bumped

    lay = settings.lay
    if args.tag is not None:
        settings.report.say(f"tag {args.tag} matches the source version {check_tag(lay, args.tag)}")
    if args.base is not None:
        settings.report.say(check_version_bumped(lay, args.base))
    return 0
