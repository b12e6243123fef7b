"""Connect to Redis without blocking or crashing the service when Redis is down at boot.

``ResilientRedisStore``'s constructor raises when Redis does not answer (upstream
behaviour). A service that must still start and report ``degraded`` hands the
constructor call to ``RedisConnection``, which retries it on a background thread
until it succeeds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

import redis

from ytcaption_common.redis_utils import ResilientRedisStore

logger = logging.getLogger("ytcaption_common.service")


def installed_common_version() -> str:
    """The ytcaption-common version pip installed (package metadata, not source)."""
    try:
        return version("ytcaption-common")
    except PackageNotFoundError:
        return "unknown"


class RedisConnection:
    """``store``/``redis`` are None until ``connect_store()`` returns; ``start()`` keeps
    trying every ``retry_seconds`` on a daemon thread."""

    def __init__(self, connect_store: Callable[[], ResilientRedisStore], retry_seconds: float = 5.0) -> None:
        self._connect_store = connect_store
        self.retry_seconds = retry_seconds
        self.store: ResilientRedisStore | None = None
        self.redis: redis.Redis | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def try_connect(self) -> bool:
        try:
            store = self._connect_store()
        except (redis.RedisError, OSError) as exc:
            logger.warning("redis unavailable, the service runs degraded and retries: %s", exc)
            return False
        self.store, self.redis = store, store.redis
        return True

    def start(self) -> None:
        """Connect in the background; returns at once."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="redis-connect", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set() and not self.try_connect():
            self._stop.wait(self.retry_seconds)

    def wait_connected(self, timeout: float) -> bool:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.store is not None

    def healthy(self) -> bool:
        """Connected and answering a ping (through the breaker)."""
        return self.store is not None and self.store.ping()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self.store is not None:
            self.store.close()
