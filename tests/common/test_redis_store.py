"""The store against a real redis-server: stopping it opens the breaker and
calls fail fast; starting it again recovers."""

import time

import pytest
from redis.exceptions import ResponseError

from tests.support.redis_server import RedisServer
from ytcaption_common.redis_utils import (
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    ResilientRedisStore,
    StoreUnavailableError,
)


def make_store(server: RedisServer, **kwargs) -> ResilientRedisStore:
    return ResilientRedisStore(server.url, key_prefix="test:", socket_timeout=0.5, connect_timeout=0.5, **kwargs)


def test_json_roundtrip_ttl_and_delete(redis_server: RedisServer) -> None:
    store = make_store(redis_server)
    store.set_json("job:1", {"status": "pending", "progress": 0})
    assert store.get_json("job:1") == {"status": "pending", "progress": 0}
    store.set_json("job:2", [1, 2], ttl_seconds=60)
    assert 0 < store.ttl("job:2") <= 60
    assert store.delete("job:1") is True
    assert store.get_json("job:1") is None
    assert store.delete("job:1") is False
    assert store.ping() is True


def test_ttl_expires_the_value(redis_server: RedisServer) -> None:
    store = make_store(redis_server)
    store.set_json("short", "x", ttl_seconds=1)
    deadline = time.monotonic() + 5
    while store.get_json("short") is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert store.get_json("short") is None


def test_breaker_opens_when_redis_stops_and_recovers_when_it_returns(redis_server: RedisServer) -> None:
    store = make_store(redis_server, failure_threshold=2, reset_timeout=0.5)
    store.set_json("k", 1)
    redis_server.stop()

    for _ in range(2):
        with pytest.raises(StoreUnavailableError):
            store.get_json("k")
    assert store.breaker.state is BreakerState.OPEN

    started = time.monotonic()
    with pytest.raises(CircuitOpenError, match="fail fast"):
        store.get_json("k")
    assert time.monotonic() - started < 0.05  # no network attempt while open
    assert store.ping() is False

    redis_server.start()  # same port, empty data set
    time.sleep(0.6)
    assert store.breaker.state is BreakerState.HALF_OPEN
    assert store.ping() is True
    assert store.breaker.state is BreakerState.CLOSED
    store.set_json("k", 2)
    assert store.get_json("k") == 2


def test_failed_half_open_probe_reopens() -> None:
    now = [0.0]
    breaker = CircuitBreaker("x", failure_threshold=1, reset_timeout=10, clock=lambda: now[0])

    def fail() -> None:
        raise ConnectionError("down")

    with pytest.raises(ConnectionError):
        breaker.call(fail, (ConnectionError,))
    assert breaker.state is BreakerState.OPEN
    now[0] = 10.0
    assert breaker.state is BreakerState.HALF_OPEN
    with pytest.raises(ConnectionError):
        breaker.call(fail, (ConnectionError,))
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(CircuitOpenError):
        breaker.call(lambda: 1, (ConnectionError,))


def test_non_network_errors_do_not_trip_the_breaker(redis_server: RedisServer) -> None:
    store = make_store(redis_server, failure_threshold=1)
    with pytest.raises(ResponseError, match="invalid expire time"):
        store.set_json("k", 1, ttl_seconds=-5)  # the server refuses it: a caller bug, not an outage
    assert store.breaker.state is BreakerState.CLOSED
    store.set_json("k", {"a": 1})
    assert store.get_json("k") == {"a": 1}
