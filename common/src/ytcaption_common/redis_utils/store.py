"""JSON values in Redis behind a connection pool, timeouts and a circuit breaker."""

from __future__ import annotations

import json
from typing import Any

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ytcaption_common.redis_utils.breaker import CircuitBreaker, StoreUnavailableError

# Only network trouble trips the breaker; a bad command is the caller's bug.
_NETWORK_ERRORS: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisStore:
    def __init__(
        self,
        url: str,
        *,
        key_prefix: str = "",
        socket_timeout: float = 2.0,
        connect_timeout: float = 2.0,
        max_connections: int = 20,
        failure_threshold: int = 3,
        reset_timeout: float = 5.0,
    ) -> None:
        self.key_prefix = key_prefix
        self._pool = redis.ConnectionPool.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=connect_timeout,
            max_connections=max_connections,
            decode_responses=True,
        )
        # retry=None: the breaker decides about retries, not redis-py.
        self._client = redis.Redis(connection_pool=self._pool, retry=None)
        self.breaker = CircuitBreaker("redis", failure_threshold, reset_timeout)

    def _key(self, key: str) -> str:
        return f"{self.key_prefix}{key}"

    def _call(self, func: Any) -> Any:
        try:
            return self.breaker.call(func, _NETWORK_ERRORS)
        except StoreUnavailableError:
            raise
        except _NETWORK_ERRORS as exc:
            raise StoreUnavailableError(f"redis call failed: {exc}; check that Redis is running") from exc

    def set_json(self, key: str, value: Any, ttl_seconds: int | None = None) -> None:
        payload = json.dumps(value, default=str)
        self._call(lambda: self._client.set(self._key(key), payload, ex=ttl_seconds))

    def get_json(self, key: str) -> Any | None:
        raw = self._call(lambda: self._client.get(self._key(key)))
        return None if raw is None else json.loads(raw)

    def delete(self, key: str) -> bool:
        return bool(self._call(lambda: self._client.delete(self._key(key))))

    def ttl(self, key: str) -> int:
        return int(self._call(lambda: self._client.ttl(self._key(key))))

    def ping(self) -> bool:
        """True when Redis answers; never raises (for health checks)."""
        try:
            return bool(self._call(self._client.ping))
        except StoreUnavailableError:
            return False

    def close(self) -> None:
        self._pool.disconnect()
