"""`ytc-release fleet`: which ytcaption-common each VM runs, against what the repository pins.

Each URL is a service's base address (``http://vm-3:8002``); its ``/health`` body names
the service and the ``common_version`` it runs. A row drifts when that differs from the
service's pin in this repository. Anything the report cannot vouch for — a VM that does
not answer, a body without a version, a service this repository does not know — is
marked as well, so cron or CI can alert on a non-zero exit."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ytc_release.errors import FleetError
from ytc_release.services.pins import Pin
from ytc_release.toolkit import web

OK = "ok"
DRIFT = "DRIFT"
UNREACHABLE = "UNREACHABLE"
UNKNOWN_VERSION = "UNKNOWN VERSION"
UNPINNED = "NOT IN REPOSITORY"


@dataclass(frozen=True)
class Health:
    """What one VM answered on /health; ``error`` is set when it did not answer usefully."""

    url: str
    service: str | None = None
    common_version: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Row:
    url: str
    service: str
    running: str
    pinned: str
    state: str


def parse_hosts(text: str) -> list[str]:
    """One base URL per line; blank lines and `#` comments are ignored."""
    urls = []
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            urls.append(entry)
    return urls


def normalise_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:
        valid = False
    if not valid:
        raise FleetError(f"{url!r} is not an http(s) URL")
    return url.rstrip("/")


def read_health(url: str, body: bytes, status: int) -> Health:
    """Pure: turn one /health answer into a Health record."""
    if status != 200:
        return Health(url, error=f"/health answered {status}")
    try:
        data = json.loads(body)
    except ValueError:
        return Health(url, error="/health is not JSON")
    if not isinstance(data, dict):
        return Health(url, error="/health is not a JSON object")
    service = data.get("service")
    version = data.get("common_version")
    return Health(
        url,
        service=service if isinstance(service, str) and service else None,
        common_version=version if isinstance(version, str) and version else None,
    )


def fetch_health(url: str, timeout: float) -> Health:
    try:
        response = web.get(f"{url}/health", timeout=timeout)
    except OSError as err:
        return Health(url, error=f"no answer ({getattr(err, 'reason', err)})")
    return read_health(url, response.body, response.status)


def compare(healths: Iterable[Health], pins: Sequence[Pin]) -> list[Row]:
    """Pure: one row per VM. Pins are matched on the service folder's name."""
    by_name = {Path(pin.service).name: pin for pin in pins}
    rows = []
    for health in healths:
        service = health.service or "?"
        pin = by_name.get(health.service or "")
        pinned = pin.version if pin else "-"
        running = health.common_version or "?"
        if health.error is not None:
            state = f"{UNREACHABLE}: {health.error}"
        elif pin is None:
            state = UNPINNED
        elif health.common_version is None:
            state = UNKNOWN_VERSION
        elif health.common_version != pin.version:
            state = DRIFT
        else:
            state = OK
        rows.append(Row(health.url, service, running, pinned, state))
    return rows


def render(rows: Sequence[Row]) -> list[str]:
    header = Row("url", "service", "running", "pinned", "state")
    table = [header, *rows]
    widths = [max(len(getattr(r, f)) for r in table) for f in ("url", "service", "running", "pinned")]
    lines = []
    for r in table:
        cells = (r.url, r.service, r.running, r.pinned)
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  " + r.state)
    return lines


def poll(urls: Sequence[str], timeout: float) -> list[Health]:
    """Every VM at once, so one that hangs costs the run one timeout, not one each."""
    with ThreadPoolExecutor(max_workers=min(16, max(1, len(urls)))) as pool:
        return list(pool.map(lambda u: fetch_health(u, timeout), urls))
