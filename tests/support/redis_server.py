"""A real redis-server on a loopback port that tests can stop and start again
(on the same port): the release tooling's own, so tests run what `smoke` runs."""

from __future__ import annotations

from ytc_release.toolkit.redis_server import RedisProcess as RedisServer

__all__ = ["RedisServer"]
