"""Job and health models every service shares.

Timestamps are naive datetimes in the host's local time, as upstream 1.0.0
wrote them (``datetime.now()``), so service code that compares them with
``datetime.now()`` keeps working. Timezone-aware values (ytcaption-common 1.x
stored UTC ones) are converted to that form when a job is loaded.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from enum import Enum

from pydantic import BaseModel, Field, field_validator

__all__ = ["BaseHealthResponse", "BaseJob", "HealthStatus", "JobStatus"]

DEFAULT_JOB_TTL = timedelta(hours=24)


class JobStatus(str, Enum):
    PENDING = "pending"
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class HealthStatus(str, Enum):
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


_TERMINAL = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})


def _now() -> datetime:
    return datetime.now()


def _uuid() -> str:
    return str(uuid.uuid4())


def _naive_local(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone().replace(tzinfo=None)


class BaseJob(BaseModel):
    """Fields and lifecycle every service's job shares; subclass to add your own."""

    id: str = Field(default_factory=_uuid)
    status: JobStatus = JobStatus.PENDING
    created_at: datetime = Field(default_factory=_now)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    expires_at: datetime | None = Field(default_factory=lambda: _now() + DEFAULT_JOB_TTL)
    progress: float = Field(default=0.0, ge=0.0, le=100.0)
    progress_message: str | None = None
    error_message: str | None = None
    error_type: str | None = None
    correlation_id: str | None = Field(default_factory=_uuid)
    retry_count: int = Field(default=0, ge=0)

    @field_validator("created_at", "started_at", "completed_at", "expires_at", mode="after")
    @classmethod
    def _naive_timestamps(cls, value: datetime | None) -> datetime | None:
        return _naive_local(value)

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and _now() > self.expires_at

    @property
    def is_terminal(self) -> bool:
        return self.status in _TERMINAL

    @property
    def duration_seconds(self) -> float | None:
        """From start to completion (to now while still running); None before it starts."""
        if self.started_at is None:
            return None
        return ((self.completed_at or _now()) - self.started_at).total_seconds()

    def mark_as_queued(self) -> None:
        self.status = JobStatus.QUEUED

    def mark_as_processing(self, message: str | None = None) -> None:
        self.status = JobStatus.PROCESSING
        self.started_at = _now()
        if message is not None:
            self.progress_message = message

    def mark_as_completed(self, message: str | None = None) -> None:
        self.status = JobStatus.COMPLETED
        self.completed_at = _now()
        self.progress = 100.0
        if message is not None:
            self.progress_message = message

    def mark_as_failed(self, error: str | BaseException, error_type: str | None = None) -> None:
        self.status = JobStatus.FAILED
        self.completed_at = _now()
        self.error_message = str(error)
        if error_type is None and isinstance(error, BaseException):
            error_type = type(error).__name__
        self.error_type = error_type

    def mark_as_cancelled(self, reason: str | None = None) -> None:
        self.status = JobStatus.CANCELLED
        self.completed_at = _now()
        if reason is not None:
            self.error_message = reason

    def update_progress(self, progress: float, message: str | None = None) -> None:
        """Set progress, clamped to 0..100."""
        self.progress = max(0.0, min(100.0, float(progress)))
        if message is not None:
            self.progress_message = message

    def increment_retry(self) -> None:
        self.retry_count += 1


class BaseHealthResponse(BaseModel):
    status: HealthStatus
    service: str
    version: str
    timestamp: datetime = Field(default_factory=_now)
    uptime_seconds: float | None = None
    redis_connected: bool = False
    celery_available: bool = False
    active_jobs: int = 0
    total_processed: int = 0
