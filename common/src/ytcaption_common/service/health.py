"""``GET /health`` for a service: upstream's health model plus the installed
library version and a per-dependency check map."""

from __future__ import annotations

import time

from fastapi import APIRouter

from ytcaption_common.models import HealthStatus
from ytcaption_common.models.base import BaseHealthResponse
from ytcaption_common.service.connection import RedisConnection, installed_common_version


class ServiceHealth(BaseHealthResponse):
    common_version: str
    checks: dict[str, str]


def health_router(service_name: str, service_version: str, connection: RedisConnection) -> APIRouter:
    """Healthy while Redis answers, degraded (still 200) while it does not."""
    router = APIRouter()
    started = time.monotonic()
    common_version = installed_common_version()

    @router.get("/health", response_model=ServiceHealth)
    def health() -> ServiceHealth:
        redis_ok = connection.healthy()
        return ServiceHealth(
            status=HealthStatus.HEALTHY if redis_ok else HealthStatus.DEGRADED,
            service=service_name,
            version=service_version,
            uptime_seconds=round(time.monotonic() - started, 3),
            redis_connected=redis_ok,
            common_version=common_version,
            checks={"redis": "ok" if redis_ok else "failing"},
        )

    return router
