"""The body every service returns from ``GET /health``."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class HealthStatus(StrEnum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


class HealthReport(BaseModel):
    service: str
    status: HealthStatus
    version: str
    common_version: str
    checks: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def from_checks(cls, service: str, version: str, common_version: str, checks: dict[str, bool]) -> HealthReport:
        """Healthy when every check passed, degraded when some failed."""
        status = HealthStatus.HEALTHY if all(checks.values()) else HealthStatus.DEGRADED
        return cls(
            service=service,
            status=status,
            version=version,
            common_version=common_version,
            checks={name: "ok" if ok else "failing" for name, ok in checks.items()},
        )
