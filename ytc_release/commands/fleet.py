"""`ytc-release fleet`: each VM's running ytcaption-common against the repository's pins."""

from __future__ import annotations

import argparse
from pathlib import Path

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fleet", help="each VM's running ytcaption-common (/health) against the repository's pins")
    p.add_argument("urls", nargs="*", metavar="URL", help="a service's base URL, e.g. http://vm-3:8002")
    p.add_argument("--hosts", help="a file with one base URL per line (# comments allowed)")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for each /health (default 5)")
    p.add_argument("--html", metavar="FILE", help="also write the table as one self-contained HTML page")
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.errors import FleetError
    from ytc_release.services import fleet
    from ytc_release.services.pins import read_pins

    urls = list(args.urls)
    if args.hosts:
        hosts = Path(args.hosts)
        if not hosts.is_file():
            raise FleetError(f"--hosts {hosts}: no such file")
        urls += fleet.parse_hosts(hosts.read_text(encoding="utf-8"))
    if not urls:
        raise FleetError("no VM to ask: no URL given")
    pins = read_pins(settings.lay)
    rows = fleet.compare(fleet.poll([fleet.normalise_url(u) for u in urls], args.timeout), pins)
    report = settings.report
    for line in fleet.render(rows):
        report.say(line)
    if args.html:
        from ytc_release.services.fleet_html import write_fleet_page

        report.say(
            f"wrote {write_fleet_page(Path(args.html), rows, pins, settings.index(), settings.lay.project.distribution)}"
        )
    bad = [row for row in rows if row.state != fleet.OK]
    report.say(f"{len(rows) - len(bad)} of {len(rows)} in line with their pins" + (", the rest marked" if bad else ""))
    return 1 if bad else 0
