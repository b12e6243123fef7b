"""A job's lifecycle: a status that only moves along legal transitions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator


class JobStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


# Which statuses a job may move to from each status. A failed job may go back
# to pending (a retry); completed and cancelled are final.
_ALLOWED: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.PENDING: frozenset({JobStatus.PROCESSING, JobStatus.CANCELLED, JobStatus.FAILED}),
    JobStatus.PROCESSING: frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED}),
    JobStatus.FAILED: frozenset({JobStatus.PENDING}),
    JobStatus.COMPLETED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
}

_TERMINAL = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})


class InvalidTransitionError(ValueError):
    """A job was asked to move to a status it cannot reach from its current one."""

    def __init__(self, job_id: str, current: JobStatus, target: JobStatus) -> None:
        allowed = ", ".join(sorted(_ALLOWED[current])) or "none (it is final)"
        super().__init__(
            f"job {job_id}: cannot move from '{current}' to '{target}'; allowed from '{current}': {allowed}"
        )
        self.current = current
        self.target = target


def utc_now() -> datetime:
    return datetime.now(UTC)


def _as_utc(value: datetime | None) -> datetime | None:
    # Naive timestamps are taken to be UTC; aware ones are converted to UTC.
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class BaseJob(BaseModel):
    """Fields and transitions every service's job shares; subclass to add your own."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    status: JobStatus = JobStatus.PENDING
    created_at: datetime = Field(default_factory=utc_now)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    expires_at: datetime | None = None
    progress: float = Field(default=0.0, ge=0.0, le=100.0)
    error_message: str | None = None
    error_type: str | None = None
    correlation_id: str | None = None
    retry_count: int = Field(default=0, ge=0)

    model_config = {"validate_assignment": True}

    @field_validator("created_at", "started_at", "completed_at", "expires_at")
    @classmethod
    def _timestamps_in_utc(cls, value: datetime | None) -> datetime | None:
        return _as_utc(value)

    @classmethod
    def with_ttl(cls, ttl: timedelta, **fields: object) -> BaseJob:
        """A new job that expires ``ttl`` after its creation."""
        job = cls(**fields)  # type: ignore[arg-type]
        job.expires_at = job.created_at + ttl
        return job

    def _move_to(self, target: JobStatus) -> None:
        if target not in _ALLOWED[self.status]:
            raise InvalidTransitionError(self.id, self.status, target)
        self.status = target

    def start(self) -> None:
        self._move_to(JobStatus.PROCESSING)
        self.started_at = utc_now()

    def update_progress(self, progress: float) -> None:
        if self.status is not JobStatus.PROCESSING:
            raise InvalidTransitionError(self.id, self.status, JobStatus.PROCESSING)
        self.progress = progress

    def complete(self) -> None:
        self._move_to(JobStatus.COMPLETED)
        self.progress = 100.0
        self.completed_at = utc_now()

    def fail(self, error: BaseException | str) -> None:
        self._move_to(JobStatus.FAILED)
        if isinstance(error, BaseException):
            self.error_type = type(error).__name__
            self.error_message = str(error)
        else:
            self.error_type = "Error"
            self.error_message = error
        self.completed_at = utc_now()

    def cancel(self) -> None:
        self._move_to(JobStatus.CANCELLED)
        self.completed_at = utc_now()

    def retry(self) -> None:
        """Send a failed job back to pending, counting the attempt."""
        self._move_to(JobStatus.PENDING)
        self.retry_count += 1
        self.error_message = None
        self.error_type = None
        self.started_at = None
        self.completed_at = None
        self.progress = 0.0

    @property
    def is_terminal(self) -> bool:
        return self.status in _TERMINAL

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and utc_now() >= self.expires_at

    @property
    def duration_seconds(self) -> float | None:
        """Seconds from start to completion (or to now while still running)."""
        if self.started_at is None:
            return None
        end = self.completed_at or utc_now()
        return (end - self.started_at).total_seconds()
