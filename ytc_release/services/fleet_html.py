"""The fleet at a glance: one self-contained HTML page (`fleet --html`, `status --html`,
`make images`). A table of the services: the pin, the lock's hash, what each VM's /health
says it runs, and the index's newest version. Every state is shown in colour *and* in
words, so the page reads the same in print, to a screen reader or to a colour-blind eye.
No script, no external resource: inline CSS, a viewport meta, a Content-Security-Policy."""

from __future__ import annotations

import contextlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from packaging.utils import canonicalize_name

from ytc_release.services import fleet
from ytc_release.services.locking import parse_lock
from ytc_release.services.pins import Pin
from ytc_release.target import IndexTarget

OK, WARN, BAD = "ok", "warn", "bad"
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:72rem;padding:0 1rem;color:#1a1a1a;background:#fff;line-height:1.5}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;word-break:break-all}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #bbb;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}
.ok{background:#e6f4ea;color:#14532d}
.warn{background:#fff4d6;color:#6b4500}
.bad{background:#fde8e8;color:#7a1212}
.state{font-weight:bold}
footer{color:#555;font-size:.85em;margin-top:2rem}
@media (max-width:40rem){
table,tbody,tr,td,tbody th{display:block;width:auto}
thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
tr{margin-bottom:.8rem;border:1px solid #bbb}
td,tbody th{border:0;border-top:1px solid #ddd}
td::before{content:attr(data-label) ": ";font-weight:bold}
}
"""


@dataclass(frozen=True)
class ServiceRow:
    """One line of the table: a service, and one VM running it (vm None: no VM was asked)."""

    service: str
    pinned: str
    held: bool
    lock_hashes: tuple[str, ...]
    vm: str | None
    running: str | None
    newest: str | None
    state: str  # the words
    level: str  # OK, WARN or BAD: the colour


def lock_hashes(service_dir: Path, dist_name: str, version: str) -> tuple[str, ...]:
    """The sha256 values the service's requirements.lock allows for the pinned version of the
    library (none: no lock, or a lock for another version: `ytc-release lock` refreshes it)."""
    try:
        text = (service_dir / "requirements.lock").read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    locked = parse_lock(text).get(canonicalize_name(dist_name))
    return tuple(sorted(locked.hashes)) if locked and locked.version == version else ()


def _pin_state(pin: Pin, hashes: tuple[str, ...], on_index: Sequence[str] | None) -> tuple[str, str]:
    if not hashes:
        return f"NO HASH LOCK for {pin.version}: run `ytc-release lock`", BAD
    if on_index is None:
        return "pinned (index not asked)", OK
    if pin.version not in on_index:
        return f"NOT ON THE INDEX: {pin.version} was never published there", BAD
    newest = on_index[-1] if on_index else None
    if newest and newest != pin.version:
        return f"BEHIND: pins {pin.version}, the index has {newest}" + (" (held)" if pin.held else ""), WARN
    return "OK: pins the newest version", OK


def rows_for_status(pins: Sequence[Pin], dist_name: str, on_index: Sequence[str] | None) -> list[ServiceRow]:
    """Pure but for reading each lock: one row per service, no VM (`status --html`).
    `on_index`: the versions on the index, oldest first; None when no index was asked."""
    newest = on_index[-1] if on_index else None
    rows = []
    for pin in pins:
        hashes = lock_hashes(pin.requirements.parent, dist_name, pin.version)
        words, level = _pin_state(pin, hashes, on_index)
        rows.append(ServiceRow(pin.service, pin.version, pin.held, hashes, None, None, newest, words, level))
    return rows


def _vm_state(row: fleet.Row) -> tuple[str, str]:
    if row.state == fleet.OK:
        return "OK: runs its pin", OK
    if row.state == fleet.DRIFT:
        return f"DRIFT: runs {row.running}, pins {row.pinned}", BAD
    if row.state.startswith(fleet.UNREACHABLE):
        return row.state, BAD
    return row.state, WARN


def rows_for_fleet(
    fleet_rows: Sequence[fleet.Row], pins: Sequence[Pin], dist_name: str, on_index: Sequence[str] | None
) -> list[ServiceRow]:
    """One row per VM asked, with its service's pin and lock hash."""
    by_name = {Path(pin.service).name: pin for pin in pins}
    newest = on_index[-1] if on_index else None
    rows = []
    for r in fleet_rows:
        pin = by_name.get(r.service)
        hashes = lock_hashes(pin.requirements.parent, dist_name, pin.version) if pin else ()
        words, level = _vm_state(r)
        rows.append(
            ServiceRow(
                pin.service if pin else r.service,
                r.pinned,
                bool(pin and pin.held),
                hashes,
                r.url,
                r.running,
                newest,
                words,
                level,
            )
        )
    return rows


def _cell(text: str | None, missing: str = "unknown") -> str:
    return html.escape(text) if text else f"<em>{missing}</em>"


def render(
    title: str, rows: Sequence[ServiceRow], dist_name: str, newest: str | None, generated: datetime | None = None
) -> str:
    """The whole page. Escapes every value: a /health body or a folder name is data, never markup."""
    stamp = (generated or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    counts = {level: sum(1 for r in rows if r.level == level) for level in (OK, WARN, BAD)}
    summary = f"{counts[OK]} in line, {counts[WARN]} to look at, {counts[BAD]} wrong"
    with_vms = any(r.vm for r in rows)
    head = ["Service", "Pin", "Lock hash (sha256)"]
    if with_vms:
        head += ["VM", "Runs (/health)"]
    head += ["Newest on the index", "State"]
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p id="summary">{html.escape(summary)}. Newest {html.escape(dist_name)} on the index: {_cell(newest)}.</p>',
        '<div class="table-wrap"><table>',
        "<thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in head) + "</tr></thead>",
        "<tbody>",
    ]
    for r in rows:
        pin = html.escape(r.pinned) + (" <em>(held)</em>" if r.held else "")
        hashes = "<br>".join(f"<code>{h}</code>" for h in r.lock_hashes) or "<em>no lock for this pin</em>"
        values = [pin, hashes]
        if with_vms:
            values += [_cell(r.vm, "not asked"), _cell(r.running)]
        values.append(_cell(r.newest))
        # data-label: a phone shows each row as a card, every value under its column's name.
        cells = [f'<th scope="row">{html.escape(r.service)}</th>']
        cells += [f'<td data-label="{label}">{value}</td>' for label, value in zip(head[1:-1], values, strict=True)]
        cells.append(f'<td class="state {r.level}" data-label="State">{html.escape(r.state)}</td>')
        lines.append(f'<tr class="{r.level}">' + "".join(cells) + "</tr>")
    lines += [
        "</tbody></table></div>",
        f"<footer><p>Written by ytc-release at {stamp}. Colours repeat the words in the State column.</p></footer>",
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(lines)


def write(path: Path, title: str, rows: Sequence[ServiceRow], dist_name: str, newest: str | None) -> Path:
    """Write the page (its folder created); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(title, rows, dist_name, newest), encoding="utf-8")
    return path


def write_fleet_page(
    path: Path, fleet_rows: Sequence[fleet.Row], pins: Sequence[Pin], target: IndexTarget | None, dist_name: str
) -> Path:
    """`fleet --html` and `make images`: the VMs' rows with the index's newest version when an
    index answers (the table is still written when none does: the VMs are the point)."""
    from ytc_release.errors import ReleaseError
    from ytc_release.index.client import published_versions

    on_index: list[str] | None = None
    if target is not None:
        with contextlib.suppress(ReleaseError):
            on_index = published_versions(target, dist_name)
    rows = rows_for_fleet(fleet_rows, pins, dist_name, on_index)
    return write(path, f"{dist_name}: the fleet", rows, dist_name, on_index[-1] if on_index else None)
