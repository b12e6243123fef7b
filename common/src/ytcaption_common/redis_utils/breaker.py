"""A small circuit breaker: closed -> open after N consecutive failures ->
half-open after a cool-down -> closed again on the first success."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class StoreUnavailableError(RuntimeError):
    """The backing store could not serve the call."""


class CircuitOpenError(StoreUnavailableError):
    """Raised at once, without touching the network, while the breaker is open."""

    def __init__(self, name: str, retry_in: float) -> None:
        super().__init__(
            f"{name} is unavailable (circuit open after repeated failures); "
            f"calls fail fast, next attempt in {retry_in:.1f}s"
        )
        self.retry_in = retry_in


class CircuitBreaker:
    def __init__(
        self,
        name: str = "redis",
        failure_threshold: int = 3,
        reset_timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        if reset_timeout <= 0:
            raise ValueError("reset_timeout must be positive")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state_locked()

    def _state_locked(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self.reset_timeout:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def call(self, func: Callable[[], T], failures: tuple[type[BaseException], ...]) -> T:
        """Run ``func``; exceptions of the ``failures`` types count against the breaker."""
        with self._lock:
            if self._state_locked() is BreakerState.OPEN:
                assert self._opened_at is not None
                raise CircuitOpenError(self.name, self.reset_timeout - (self._clock() - self._opened_at))
        try:
            result = func()
        except failures:
            self._record_failure()
            raise
        self._record_success()
        return result

    def _record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            # A failed half-open probe re-opens at once; otherwise open at the threshold.
            if self._opened_at is not None or self._failures >= self.failure_threshold:
                self._opened_at = self._clock()

    def _record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
