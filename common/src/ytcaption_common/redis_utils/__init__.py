"""A Redis JSON store that fails fast while Redis is down."""

from ytcaption_common.redis_utils.breaker import (
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    StoreUnavailableError,
)
from ytcaption_common.redis_utils.store import ResilientRedisStore

__all__ = [
    "BreakerState",
    "CircuitBreaker",
    "CircuitOpenError",
    "ResilientRedisStore",
    "StoreUnavailableError",
]
