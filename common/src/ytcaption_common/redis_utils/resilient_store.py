"""A redis-py client on a pooled connection, plus a circuit breaker around the
common commands so a Redis outage makes them fail fast instead of piling up."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.exceptions import ResponseError

__all__ = ["CircuitBreakerOpenError", "RedisCircuitBreaker", "ResilientRedisStore"]

logger = logging.getLogger("ytcaption_common.redis_utils")

T = TypeVar("T")

# Waits between the constructor's connection attempts (3 attempts in all).
CONNECT_RETRY_DELAYS = (1.0, 2.0)


class CircuitBreakerOpenError(Exception):
    """Raised by ``RedisCircuitBreaker.call`` while the breaker is open."""


class RedisCircuitBreaker:
    """Closed -> open after ``max_failures`` consecutive failures -> half-open after
    ``timeout_seconds``, letting up to ``half_open_max_requests`` probes through ->
    closed on a successful probe, open again on a failed one."""

    def __init__(self, max_failures: int = 5, timeout_seconds: int = 60, half_open_max_requests: int = 3) -> None:
        if max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        if timeout_seconds < 0:
            raise ValueError("timeout_seconds must not be negative")
        self.max_failures = max_failures
        self.timeout_seconds = timeout_seconds
        self.half_open_max_requests = half_open_max_requests
        self.failure_count = 0
        self.state = "closed"
        self._opened_at: float | None = None
        self._half_open_requests = 0
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        opened_at = self._opened_at
        if self.state == "open" and opened_at is not None and time.monotonic() - opened_at >= self.timeout_seconds:
            self.state = "half_open"
            self._half_open_requests = 0

    def is_open(self) -> bool:
        """True while calls must not reach Redis (open, or half-open with its probes used up)."""
        with self._lock:
            self._refresh()
            if self.state == "half_open":
                return self._half_open_requests >= self.half_open_max_requests
            return self.state == "open"

    def record_success(self) -> None:
        with self._lock:
            self.failure_count = 0
            self.state = "closed"
            self._opened_at = None

    def record_failure(self) -> None:
        with self._lock:
            self.failure_count += 1
            if self.state == "half_open" or self.failure_count >= self.max_failures:
                if self.state != "open":
                    logger.warning("redis circuit breaker opened after %d failure(s)", self.failure_count)
                self.state = "open"
                self._opened_at = time.monotonic()

    def call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``func``; raise ``CircuitBreakerOpenError`` at once while open.

        An error Redis answered with (``ResponseError``: a wrong command or type)
        proves Redis is up, so it does not count as a failure.
        """
        with self._lock:
            self._refresh()
            if self.state == "open" or (
                self.state == "half_open" and self._half_open_requests >= self.half_open_max_requests
            ):
                raise CircuitBreakerOpenError(
                    f"the Redis circuit breaker is open after {self.failure_count} failure(s); "
                    f"calls are skipped for up to {self.timeout_seconds}s, then retried"
                )
            if self.state == "half_open":
                self._half_open_requests += 1
        try:
            result = func(*args, **kwargs)
        except ResponseError:
            self.record_success()
            raise
        except Exception:
            self.record_failure()
            raise
        self.record_success()
        return result


class ResilientRedisStore:
    """``store.redis`` is a plain redis-py client (``decode_responses=True``) on
    ``store.pool``; ``ping/get/set/setex/delete/exists/keys`` go through the breaker
    and return ``False/None/False/False/0/0/[]`` while it is open."""

    def __init__(
        self,
        redis_url: str,
        max_connections: int = 50,
        socket_keepalive: bool = True,
        socket_connect_timeout: int = 5,
        socket_timeout: int = 10,
        retry_on_timeout: bool = True,
        health_check_interval: int = 30,
        circuit_breaker_enabled: bool = True,
        circuit_breaker_max_failures: int = 5,
        circuit_breaker_timeout: int = 60,
    ) -> None:
        self.redis_url = redis_url
        self.pool = redis.ConnectionPool.from_url(
            redis_url,
            max_connections=max_connections,
            socket_keepalive=socket_keepalive,
            socket_connect_timeout=socket_connect_timeout,
            socket_timeout=socket_timeout,
            retry_on_timeout=retry_on_timeout,
            health_check_interval=health_check_interval,
            decode_responses=True,
        )
        self.redis = redis.Redis(connection_pool=self.pool)
        self.circuit_breaker_enabled = circuit_breaker_enabled
        self.circuit_breaker: RedisCircuitBreaker | None = (
            RedisCircuitBreaker(circuit_breaker_max_failures, circuit_breaker_timeout)
            if circuit_breaker_enabled
            else None
        )
        self._connect()

    def _connect(self) -> None:
        """Ping up to 3 times (waiting 1 s, then 2 s); raise the last error if Redis never answers."""
        for attempt, delay in enumerate((*CONNECT_RETRY_DELAYS, None), start=1):
            try:
                self.redis.ping()
            except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
                if delay is None:
                    logger.error("redis at %s unreachable after %d attempts: %s", _masked(self.redis_url), attempt, exc)
                    self.pool.disconnect()
                    raise
                logger.warning("redis not reachable (attempt %d): %s; retrying in %.0fs", attempt, exc, delay)
                time.sleep(delay)
            else:
                logger.info("connected to redis at %s", _masked(self.redis_url))
                return

    def _call(self, fallback: T, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.circuit_breaker is None:
            return func(*args, **kwargs)
        try:
            return self.circuit_breaker.call(func, *args, **kwargs)
        except CircuitBreakerOpenError as exc:
            logger.warning("redis %s skipped: %s", getattr(func, "__name__", "call"), exc)
            return fallback

    def ping(self) -> bool:
        """True when Redis answers; never raises, so health checks can call it."""
        try:
            return bool(self._call(False, self.redis.ping))
        except (redis.RedisError, OSError) as exc:
            logger.warning("redis ping failed: %s", exc)
            return False

    def get(self, key: str) -> str | None:
        return self._call(None, self.redis.get, key)  # type: ignore[no-any-return]

    def set(
        self, key: str, value: Any, ex: int | None = None, px: int | None = None, nx: bool = False, xx: bool = False
    ) -> bool:
        return bool(self._call(False, self.redis.set, key, value, ex=ex, px=px, nx=nx, xx=xx))

    def setex(self, key: str, time: int, value: Any) -> bool:
        # SET with EX: what SETEX does, without redis-py's deprecation warning for setex.
        return bool(self._call(False, self.redis.set, key, value, ex=time))

    def delete(self, *keys: str) -> int:
        return int(self._call(0, self.redis.delete, *keys)) if keys else 0

    def exists(self, *keys: str) -> int:
        return int(self._call(0, self.redis.exists, *keys)) if keys else 0

    def keys(self, pattern: str = "*") -> list[str]:
        return list(self._call([], self.redis.keys, pattern))

    def close(self) -> None:
        """Close every pooled connection (local work: never skipped by the breaker)."""
        self.pool.disconnect()


def _masked(url: str) -> str:
    """The URL without its password, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
