"""The fleet report's pure parts: hosts files, /health bodies, the comparison, the table."""

from __future__ import annotations

from pathlib import Path

import pytest

from ytc_release.services import fleet
from ytc_release.services.pins import Pin


def pin(service: str, version: str, held: bool = False) -> Pin:
    return Pin(service, Path(service) / "requirements.txt", version, held)


PINS = [pin("orchestrator", "2.0.0"), pin("services/video-downloader", "1.0.0", held=True)]


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("", []),
        ("http://a:8000\n", ["http://a:8000"]),
        ("# VMs\n\nhttp://a:8000  # orchestrator\n  http://b:8002\n", ["http://a:8000", "http://b:8002"]),
        ("#only a comment\n   \n", []),
    ],
)
def test_parse_hosts(text: str, urls: list[str]) -> None:
    assert fleet.parse_hosts(text) == urls


def test_normalise_url_strips_the_slash_and_refuses_other_schemes() -> None:
    assert fleet.normalise_url("http://vm:8002/") == "http://vm:8002"
    for bad in ("vm:8002", "http://[::1", "http://vm:99999", "ftp://vm/", "http://"):
        with pytest.raises(fleet.FleetError, match="not an http"):
            fleet.normalise_url(bad)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, b'{"service": "orchestrator", "common_version": "2.0.0"}', ("orchestrator", "2.0.0", None)),
        (200, b'{"service": "orchestrator"}', ("orchestrator", None, None)),
        (200, b'{"service": "", "common_version": 3}', (None, None, None)),
        (200, b"not json", (None, None, "/health is not JSON")),
        (200, b"[1, 2]", (None, None, "/health is not a JSON object")),
        (503, b"{}", (None, None, "/health answered 503")),
    ],
)
def test_read_health(status: int, body: bytes, expected: tuple) -> None:
    health = fleet.read_health("http://vm:1", body, status)
    assert (health.service, health.common_version, health.error) == expected


@pytest.mark.parametrize(
    ("health", "running", "pinned", "state"),
    [
        (fleet.Health("u", "orchestrator", "2.0.0"), "2.0.0", "2.0.0", fleet.OK),
        (fleet.Health("u", "orchestrator", "1.9.0"), "1.9.0", "2.0.0", fleet.DRIFT),
        # a held pin is still the pin: running anything else is drift
        (fleet.Health("u", "video-downloader", "1.0.0"), "1.0.0", "1.0.0", fleet.OK),
        (fleet.Health("u", "video-downloader", "2.0.0"), "2.0.0", "1.0.0", fleet.DRIFT),
        (fleet.Health("u", "orchestrator", None), "?", "2.0.0", fleet.UNKNOWN_VERSION),
        (fleet.Health("u", "caption-writer", "2.0.0"), "2.0.0", "-", fleet.UNPINNED),
        (fleet.Health("u", error="no answer (refused)"), "?", "-", f"{fleet.UNREACHABLE}: no answer (refused)"),
    ],
)
def test_compare(health: fleet.Health, running: str, pinned: str, state: str) -> None:
    (row,) = fleet.compare([health], PINS)
    assert (row.running, row.pinned, row.state) == (running, pinned, state)


def test_render_aligns_columns_and_ends_with_the_state() -> None:
    rows = fleet.compare(
        [
            fleet.Health("http://a:8000", "orchestrator", "2.0.0"),
            fleet.Health("http://bb:8002", "video-downloader", "2.0.0"),
        ],
        PINS,
    )
    header, first, second = fleet.render(rows)
    assert header.split() == ["url", "service", "running", "pinned", "state"]
    assert first.endswith(fleet.OK) and second.endswith(fleet.DRIFT)
    assert header.index("service") == first.index("orchestrator") == second.index("video-downloader")
