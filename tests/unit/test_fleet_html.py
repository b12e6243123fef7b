"""The fleet page's pure parts: every state in colour and in words, every value escaped."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from ytc_release.services import fleet, fleet_html
from ytc_release.services.pins import Pin

HASH = "b" * 64


def pin(root: Path, service: str, version: str, locked: str | None = None, held: bool = False) -> Pin:
    folder = root / service
    folder.mkdir(parents=True, exist_ok=True)
    if locked:
        (folder / "requirements.lock").write_text(f"ytcaption-common=={locked} \\\n    --hash=sha256:{HASH}\n")
    return Pin(service, folder / "requirements.txt", version, held)


def state_cells(page: str) -> dict[str, tuple[str, str]]:
    """{service: (colour class, words)} from the rendered table."""
    found = {}
    for row in re.findall(r"<tr class=\"[^\"]+\">(.*?)</tr>", page):
        service = re.search(r'<th scope="row">(.*?)</th>', row)[1]  # type: ignore[index]
        level, words = re.search(r'<td class="state (\w+)" data-label="State">(.*?)</td>', row).groups()  # type: ignore[union-attr]
        found[service] = (level, words)
    return found


def test_drift_unreachable_and_in_line_vms_in_colour_and_words(tmp_path: Path) -> None:
    pins = [pin(tmp_path, "orchestrator", "2.0.0", "2.0.0"), pin(tmp_path, "services/search", "2.1.0", "2.1.0")]
    rows = fleet.compare(
        [
            fleet.Health("http://a:8000", "orchestrator", "2.0.0"),
            fleet.Health("http://b:8002", "search", "2.0.0"),
            fleet.Health("http://c:8003", error="no answer (timed out)"),
        ],
        pins,
    )
    page = fleet_html.render(
        "fleet",
        fleet_html.rows_for_fleet(rows, pins, "ytcaption-common", ["2.0.0", "2.1.0"]),
        "ytcaption-common",
        "2.1.0",
    )
    cells = state_cells(page)
    assert cells["orchestrator"] == ("ok", "OK: runs its pin")
    assert cells["services/search"] == ("bad", "DRIFT: runs 2.0.0, pins 2.1.0")
    assert cells["?"] == ("bad", "UNREACHABLE: no answer (timed out)")
    assert ".bad{background:#fde8e8" in page and ".ok{background:#e6f4ea" in page  # the colours exist
    assert f"<code>{HASH}</code>" in page and "1 in line, 0 to look at, 2 wrong" in page


def test_status_rows_behind_missing_and_unlocked(tmp_path: Path) -> None:
    pins = [
        pin(tmp_path, "a", "2.1.0", "2.1.0"),
        pin(tmp_path, "b", "2.0.0", "2.0.0", held=True),
        pin(tmp_path, "c", "9.9.9", "9.9.9"),
        pin(tmp_path, "d", "2.1.0", "2.0.0"),  # the lock is for another version
    ]
    rows = fleet_html.rows_for_status(pins, "ytcaption-common", ["2.0.0", "2.1.0"])
    cells = state_cells(fleet_html.render("status", rows, "ytcaption-common", "2.1.0"))
    assert cells["a"] == ("ok", "OK: pins the newest version")
    assert cells["b"] == ("warn", "BEHIND: pins 2.0.0, the index has 2.1.0 (held)")
    assert cells["c"] == ("bad", "NOT ON THE INDEX: 9.9.9 was never published there")
    assert cells["d"] == ("bad", "NO HASH LOCK for 2.1.0: run `ytc-release lock`")
    assert fleet_html.rows_for_status(pins[:1], "ytcaption-common", None)[0].state == "pinned (index not asked)"


def test_every_value_is_escaped_and_the_page_is_self_contained(tmp_path: Path) -> None:
    pins = [pin(tmp_path, "svc", "1.0.0", "1.0.0")]
    hostile = fleet.Row('http://x/"><script>alert(1)</script>', "svc", "<img src=x onerror=alert(1)>", "1.0.0", "DRIFT")
    page = fleet_html.render(
        "<b>t</b>",
        fleet_html.rows_for_fleet([hostile], pins, "ytcaption-common", None),
        "ytcaption-common",
        None,
        datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc),
    )
    assert "<script" not in page and "<img" not in page and "&lt;script&gt;" in page and "&lt;b&gt;t&lt;/b&gt;" in page
    assert "2026-01-02 03:04 UTC" in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert f'content="{fleet_html.CSP}"' in page and "default-src 'none'" in fleet_html.CSP
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing to fetch
