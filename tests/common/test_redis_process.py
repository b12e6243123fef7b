"""The one redis-server launcher the tooling and the tests use."""

from __future__ import annotations

import socket
from pathlib import Path

from ytc_release.toolkit.redis_server import RedisProcess


def test_a_port_taken_between_choosing_and_binding_moves_to_a_free_one(tmp_path: Path) -> None:
    redis = RedisProcess(tmp_path)
    chosen = redis.port
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", chosen))
        squatter.listen()  # open, but not Redis: only a PONG counts as started
        redis.start()
        try:
            assert redis.port != chosen
            with socket.create_connection(("127.0.0.1", redis.port)) as sock:
                sock.sendall(b"PING\r\n")
                assert sock.recv(16).startswith(b"+PONG")
        finally:
            redis.stop()


def test_stop_then_start_keeps_the_port(tmp_path: Path) -> None:
    redis = RedisProcess(tmp_path)
    redis.start()
    port = redis.port
    redis.stop()
    redis.start()
    try:
        assert redis.port == port and redis.url == f"redis://127.0.0.1:{port}/0"
    finally:
        redis.stop()
