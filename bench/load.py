"""Load with wrk (C, so the client does not starve the server of the 2 cores),
bounded by a fixed duration per measurement."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class LoadResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    seconds: int = 0


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(f"cannot read the latency {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def parse_wrk(output: str, seconds: int = 0) -> LoadResult:
    def latency(pct: str) -> float:
        match = re.search(rf"^\s+{pct}%\s+(\S+)", output, re.MULTILINE)
        return _ms(match[1]) if match else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx[1])
    return LoadResult(
        float(rps[1]) if rps else 0.0, latency("50"), latency("99"), errors, int(total[1]) if total else 0, seconds
    )


def run_wrk(url: str, clients: int, seconds: int) -> LoadResult:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (make bench installs it)")
    threads = min(clients, 2)
    out = subprocess.run(
        [wrk, f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    return parse_wrk(out, seconds)
