"""`ytc-release status`: the source version, the versions on the index, the pins."""

from __future__ import annotations

import argparse

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction, repo_help: str) -> None:
    p = sub.add_parser("status", help="source version, versions on the index, pins")
    p.add_argument("--repository", help=repo_help)
    p.add_argument("--html", metavar="FILE", help="also write the services' pins as one self-contained HTML page")
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.index.client import published_versions
    from ytc_release.services.pins import service_pins
    from ytc_release.version import read_version

    lay, report = settings.lay, settings.report
    report.say(f"library:        {lay.project.distribution} ({lay.project.library}/)")
    report.say(f"source version: {read_version(lay.version_file)}")
    target = settings.index()  # never started here
    on_index: list[str] | None = None
    if target is None:
        report.say("index:          none configured and the embedded index is not running (`ytc-release index up`)")
    else:
        on_index = published_versions(target, lay.project.distribution)
        report.say(f"index:          {target.describe()}")
        report.say(f"on the index:   {', '.join(on_index) or '(none)'}")
    report.say("pins:")
    missing = 0
    pins, unpinned = service_pins(lay)
    for service in unpinned:
        report.detail(f"{service:<32} {'-':<10} NOT PINNED (still on a copy? `ytc-release migrate {service}`)")
    for pin in pins:
        notes = []
        if pin.held:
            notes.append("held")
        if on_index is not None and pin.version not in on_index:
            notes.append("NOT ON THE INDEX")
            missing += 1
        report.detail(f"{pin.service:<32} {pin.version:<10} {' '.join(notes)}")
    if args.html:
        from pathlib import Path

        from ytc_release.services import fleet_html

        name = lay.project.distribution
        rows = fleet_html.rows_for_status(pins, name, on_index)
        page = fleet_html.write(Path(args.html), f"{name}: the services' pins", rows, name, (on_index or [None])[-1])
        report.say(f"wrote {page}")
    return 1 if missing else 0
