"""A bounded keep-alive HTTP load in Python (no wrk needed): 2 processes x N/2
threads, each on its own connection, until a deadline or a request cap. On 2
shared cores the client costs CPU the server could use, so absolute numbers
are pessimistic; servers measured the same way compare fairly."""

from __future__ import annotations

import http.client
import multiprocessing
import statistics
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class LoadResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    seconds: int = 0


MAX_REQUESTS_PER_CLIENT = 20_000


def _client(url: str, headers: dict[str, str], deadline: float, out: list[float], errors: list[int]) -> None:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status >= 400:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                continue
            out.append(time.perf_counter() - start)
    finally:
        conn.close()


def _process(args: tuple[str, dict[str, str], int, float]) -> tuple[list[float], int]:
    url, headers, threads, deadline = args
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [[0] for _ in range(threads)]
    workers = [
        threading.Thread(target=_client, args=(url, headers, deadline, latencies[i], errors[i])) for i in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return [x for lat in latencies for x in lat], sum(e[0] for e in errors)


def run_load(url: str, clients: int, seconds: float, headers: dict[str, str] | None = None) -> LoadResult:
    processes = min(2, clients)
    per_process = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    deadline_in = time.monotonic() + 1.0  # processes start within this second; the clock is shared
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_process, [(url, headers or {}, n, deadline_in + seconds) for n in per_process])
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    if not latencies:
        return LoadResult(0.0, float("nan"), float("nan"), errors, 0, int(seconds))
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return LoadResult(
        len(latencies) / seconds, statistics.median(latencies) * 1000, p99 * 1000, errors, len(latencies), int(seconds)
    )
