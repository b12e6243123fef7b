"""ResilientRedisStore against a real redis-server; RedisCircuitBreaker's states."""

from __future__ import annotations

import logging
import time

import pytest
import redis

from tests.support.redis_server import RedisServer
from ytc_release.toolkit.ports import free_port
from ytcaption_common.redis_utils import RedisCircuitBreaker, ResilientRedisStore
from ytcaption_common.redis_utils.resilient_store import CircuitBreakerOpenError


def make_store(url: str, **kwargs: object) -> ResilientRedisStore:
    options: dict[str, object] = {"socket_connect_timeout": 1, "socket_timeout": 1}
    options.update(kwargs)
    return ResilientRedisStore(redis_url=url, **options)  # type: ignore[arg-type]


def test_redis_is_a_plain_client_on_the_decoding_pool(redis_server: RedisServer) -> None:
    store = make_store(redis_server.url, max_connections=7)
    try:
        assert isinstance(store.redis, redis.Redis) and isinstance(store.pool, redis.ConnectionPool)
        assert store.redis.connection_pool is store.pool
        assert store.pool.connection_kwargs["decode_responses"] is True
        assert store.pool.max_connections == 7
        # What the services do with it: hashes, lists, pipelines, scans, TTLs.
        r = store.redis
        r.hset("job:1", mapping={"status": "queued", "progress": "0"})
        r.rpush("queue", "a", "b")
        with r.pipeline() as pipe:
            pipe.incr("counter").expire("counter", 60)
            assert pipe.execute() == [1, True]
        assert r.hgetall("job:1") == {"status": "queued", "progress": "0"}
        assert r.lrange("queue", 0, -1) == ["a", "b"]
        assert sorted(r.scan_iter("job:*")) == ["job:1"] and 0 < r.ttl("counter") <= 60
    finally:
        store.close()


def test_wrapped_methods(redis_server: RedisServer) -> None:
    store = make_store(redis_server.url)
    try:
        assert store.ping() is True
        assert store.set("k", "v") is True and store.get("k") == "v"
        assert store.set("k", "other", nx=True) is False and store.get("k") == "v"
        assert store.set("absent", "x", xx=True) is False and store.get("absent") is None
        assert store.set("px", "1", px=50_000) is True and 0 < store.redis.pttl("px") <= 50_000
        assert store.setex("ttl", 30, 5) is True and store.get("ttl") == "5" and 0 < store.redis.ttl("ttl") <= 30
        assert store.set("ex", "1", ex=20) is True and 0 < store.redis.ttl("ex") <= 20
        assert store.exists("k", "ttl", "nope") == 2
        assert sorted(store.keys()) == ["ex", "k", "px", "ttl"] and store.keys("p*") == ["px"]
        assert store.delete("k", "ttl", "nope") == 2 and store.exists("k") == 0
    finally:
        store.close()


def test_constructor_pings_three_times_then_raises() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    start = time.monotonic()
    with pytest.raises(redis.ConnectionError):
        make_store(url)
    elapsed = time.monotonic() - start
    assert 3.0 <= elapsed < 20  # waited 1 s, then 2 s between the three pings


def test_constructor_succeeds_when_redis_comes_up_during_the_retries(tmp_path, caplog) -> None:
    import threading

    server = RedisServer(tmp_path)
    starter = threading.Timer(0.5, server.start)
    starter.start()
    try:
        with caplog.at_level(logging.WARNING, logger="ytcaption_common.redis_utils"):
            store = make_store(server.url)
        assert store.ping() is True
        assert any("retrying" in r.getMessage() for r in caplog.records)
        store.close()
    finally:
        starter.join()
        server.stop()


def test_open_breaker_returns_fallbacks_and_logs(redis_server: RedisServer, caplog) -> None:
    store = make_store(redis_server.url, circuit_breaker_max_failures=2, circuit_breaker_timeout=60)
    store.set("k", "v")
    redis_server.stop()
    try:
        # Closed breaker: the redis error reaches the caller and is counted.
        for _ in range(2):
            with pytest.raises(redis.ConnectionError):
                store.get("k")
        assert store.circuit_breaker is not None and store.circuit_breaker.is_open()
        with caplog.at_level(logging.WARNING, logger="ytcaption_common.redis_utils"):
            start = time.monotonic()
            results = (
                store.ping(),
                store.get("k"),
                store.set("k", "v"),
                store.setex("k", 1, "v"),
                store.delete("k"),
                store.exists("k"),
                store.keys(),
            )
            assert time.monotonic() - start < 1  # fails fast, no network
        assert results == (False, None, False, False, 0, 0, [])
        assert sum("circuit breaker is open" in r.getMessage() for r in caplog.records) == 7
        store.close()  # never skipped
    finally:
        redis_server.start()


def test_breaker_half_opens_and_recovers(redis_server: RedisServer) -> None:
    store = make_store(redis_server.url, circuit_breaker_max_failures=1, circuit_breaker_timeout=1)
    port_url = redis_server.url
    redis_server.stop()
    assert store.ping() is False  # one failure opens it
    assert store.circuit_breaker is not None and store.circuit_breaker.is_open()
    redis_server.start()
    assert redis_server.url == port_url
    assert store.get("k") is None and store.circuit_breaker.is_open()  # still open: skipped
    time.sleep(1.1)
    assert store.ping() is True and not store.circuit_breaker.is_open()
    assert store.set("k", "back") is True and store.get("k") == "back"
    store.close()


def test_disabled_breaker_lets_errors_through(redis_server: RedisServer) -> None:
    store = make_store(redis_server.url, circuit_breaker_enabled=False)
    assert store.circuit_breaker is None
    redis_server.stop()
    try:
        for _ in range(6):
            with pytest.raises(redis.ConnectionError):
                store.get("k")
        assert store.ping() is False
    finally:
        redis_server.start()
        store.close()


def test_a_command_error_does_not_count_as_an_outage(redis_server: RedisServer) -> None:
    store = make_store(redis_server.url, circuit_breaker_max_failures=1)
    store.redis.rpush("list", "x")
    with pytest.raises(redis.ResponseError):
        store.circuit_breaker.call(store.redis.get, "list")  # type: ignore[union-attr]  # WRONGTYPE
    assert not store.circuit_breaker.is_open()  # type: ignore[union-attr]
    store.close()


def test_password_is_not_logged(redis_server: RedisServer, caplog) -> None:
    admin = redis.Redis.from_url(redis_server.url)
    admin.config_set("requirepass", "hunter2")
    url = redis_server.url.replace("redis://", "redis://:hunter2@")
    try:
        with caplog.at_level(logging.INFO, logger="ytcaption_common.redis_utils"):
            store = make_store(url)
            assert store.ping() is True
            store.close()
        assert "connected to redis at redis://:***@127.0.0.1" in caplog.text and "hunter2" not in caplog.text
    finally:
        redis.Redis.from_url(url).config_set("requirepass", "")
        admin.close()


class TestRedisCircuitBreaker:
    def test_opens_after_max_failures_and_raises_while_open(self) -> None:
        breaker = RedisCircuitBreaker(max_failures=3, timeout_seconds=60)
        calls = []

        def fail() -> None:
            calls.append(1)
            raise OSError("down")

        for _ in range(3):
            assert not breaker.is_open()
            with pytest.raises(OSError):
                breaker.call(fail)
        assert breaker.is_open() and breaker.state == "open"
        with pytest.raises(CircuitBreakerOpenError, match="open"):
            breaker.call(fail)
        assert len(calls) == 3  # the open breaker did not call through

    def test_success_resets_the_count(self) -> None:
        breaker = RedisCircuitBreaker(max_failures=2)
        breaker.record_failure()
        breaker.record_success()
        breaker.record_failure()
        assert not breaker.is_open() and breaker.failure_count == 1
        assert breaker.call(lambda a, b=0: a + b, 1, b=2) == 3 and breaker.failure_count == 0

    def test_half_open_limits_probes_and_a_failed_probe_reopens(self) -> None:
        breaker = RedisCircuitBreaker(max_failures=1, timeout_seconds=0, half_open_max_requests=2)
        breaker.record_failure()
        assert not breaker.is_open() and breaker.state == "half_open"  # timeout 0: probe at once
        with pytest.raises(OSError):
            breaker.call(lambda: (_ for _ in ()).throw(OSError("still down")))
        assert breaker.state in ("open", "half_open")  # re-opened (and, with timeout 0, half-open again)
        assert breaker.failure_count == 2
        assert breaker.call(lambda: "ok") == "ok" and breaker.state == "closed"

    def test_half_open_probe_budget(self) -> None:
        breaker = RedisCircuitBreaker(max_failures=1, timeout_seconds=0, half_open_max_requests=1)
        breaker.record_failure()
        breaker._refresh()
        breaker._half_open_requests = 1  # one probe already in flight
        assert breaker.is_open()
        with pytest.raises(CircuitBreakerOpenError):
            breaker.call(lambda: None)

    def test_rejects_nonsense(self) -> None:
        with pytest.raises(ValueError, match="max_failures"):
            RedisCircuitBreaker(max_failures=0)
