"""A pooled redis-py client behind a circuit breaker (``redis_utils.resilient_store``)."""

from ytcaption_common.redis_utils.resilient_store import RedisCircuitBreaker, ResilientRedisStore

__all__ = ["RedisCircuitBreaker", "ResilientRedisStore"]
