"""The one wait-until-ready loop: the index, a container, a service, Redis,
the benchmark's servers and the tests' servers all start through it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    interval: float = 0.2,
    alive: Callable[[], None] | None = None,
) -> T | None:
    """Call ``probe`` until it returns something truthy, and return that; None when
    ``timeout`` seconds pass first. An OSError from ``probe`` counts as `not yet`.
    ``alive`` is called before each probe and raises when waiting is pointless
    (the process being waited for has exited)."""
    deadline = time.monotonic() + timeout
    while True:
        if alive is not None:
            alive()
        try:
            found = probe()
        except OSError:
            found = None
        if found:
            return found
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)
