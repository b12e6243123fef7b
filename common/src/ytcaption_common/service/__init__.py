"""Helpers our HTTP services share beside upstream's API: the installed library
version for ``/health``, a Redis connection that survives Redis being down at
boot, and job storage/endpoints on the plain redis-py client."""

from ytcaption_common.service.connection import RedisConnection, installed_common_version
from ytcaption_common.service.health import ServiceHealth, health_router
from ytcaption_common.service.jobs import JobRepository
from ytcaption_common.service.routes import job_routes

__all__ = [
    "JobRepository",
    "RedisConnection",
    "ServiceHealth",
    "health_router",
    "installed_common_version",
    "job_routes",
]
