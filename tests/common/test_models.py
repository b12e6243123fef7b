"""BaseJob, JobStatus, HealthStatus, BaseHealthResponse — and jobs stored by older libraries."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from ytcaption_common.models import BaseJob, HealthStatus, JobStatus
from ytcaption_common.models.base import BaseHealthResponse


def test_status_values_are_the_stored_strings() -> None:
    assert [s.value for s in JobStatus] == ["pending", "queued", "processing", "completed", "failed", "cancelled"]
    assert JobStatus.QUEUED == "queued" and isinstance(JobStatus.QUEUED, str)
    assert [s.value for s in HealthStatus] == ["healthy", "degraded", "unhealthy"]
    assert HealthStatus("degraded") is HealthStatus.DEGRADED


def test_defaults() -> None:
    before = datetime.now()
    job = BaseJob()
    assert uuid.UUID(job.id).version == 4 and uuid.UUID(job.correlation_id or "").version == 4
    assert job.status is JobStatus.PENDING and job.progress == 0 and job.retry_count == 0
    assert before <= job.created_at <= datetime.now() and job.created_at.tzinfo is None
    assert job.expires_at is not None
    assert abs((job.expires_at - job.created_at) - timedelta(hours=24)) < timedelta(seconds=1)
    assert (job.started_at, job.completed_at, job.progress_message, job.error_message, job.error_type) == (None,) * 5
    assert BaseJob().id != job.id
    assert not job.is_expired and not job.is_terminal and job.duration_seconds is None


def test_lifecycle() -> None:
    job = BaseJob()
    job.mark_as_queued()
    assert job.status is JobStatus.QUEUED
    job.mark_as_processing("downloading")
    assert job.status is JobStatus.PROCESSING and job.started_at is not None and job.progress_message == "downloading"
    job.update_progress(150, "almost")
    assert (job.progress, job.progress_message) == (100.0, "almost")
    job.update_progress(-3)
    assert job.progress == 0.0
    job.update_progress(42.5)
    assert job.progress == 42.5 and job.duration_seconds is not None and job.duration_seconds >= 0
    job.mark_as_completed("done")
    assert job.status is JobStatus.COMPLETED and job.progress == 100.0 and job.completed_at is not None
    assert job.is_terminal and job.progress_message == "done"
    assert job.duration_seconds == (job.completed_at - job.started_at).total_seconds()


def test_failure_cancel_and_retry() -> None:
    job = BaseJob()
    job.mark_as_failed(TimeoutError("took too long"))
    assert (job.status, job.error_message, job.error_type) == (JobStatus.FAILED, "took too long", "TimeoutError")
    assert job.is_terminal
    job.mark_as_failed("bad url", error_type="InvalidURL")
    assert (job.error_message, job.error_type) == ("bad url", "InvalidURL")
    job.increment_retry()
    job.increment_retry()
    assert job.retry_count == 2
    other = BaseJob()
    other.mark_as_cancelled("user asked")
    assert other.status is JobStatus.CANCELLED and other.is_terminal and other.error_message == "user asked"


def test_is_expired() -> None:
    assert BaseJob(expires_at=datetime.now() - timedelta(seconds=1)).is_expired
    assert not BaseJob(expires_at=None).is_expired


def test_progress_is_bounded_on_construction() -> None:
    with pytest.raises(ValidationError):
        BaseJob(progress=101)


def test_a_job_stored_by_upstream_1_0_0_loads() -> None:
    # As upstream's BaseJob.model_dump_json() wrote it: naive ISO timestamps, status strings.
    stored = json.dumps(
        {
            "id": "6f1c1a52-3d1e-4c62-9b6e-0f5cbb2b1a10",
            "status": "queued",
            "created_at": "2026-11-20T10:15:30.123456",
            "started_at": None,
            "completed_at": None,
            "expires_at": "2026-11-21T10:15:30.123456",
            "progress": 0.0,
            "progress_message": None,
            "error_message": None,
            "error_type": None,
            "correlation_id": "0b8e2f0c-7c4a-4f7e-8a53-3d2f2f4b9c11",
            "retry_count": 1,
        }
    )
    job = BaseJob.model_validate_json(stored)
    assert job.status is JobStatus.QUEUED and job.retry_count == 1
    assert job.created_at == datetime(2026, 11, 20, 10, 15, 30, 123456)
    assert job.is_expired  # a date in the past compares without a timezone error
    again = BaseJob.model_validate_json(job.model_dump_json())
    assert again == job
    assert json.loads(job.model_dump_json())["created_at"] == "2026-11-20T10:15:30.123456"


def test_a_subclass_job_from_redis_with_extra_fields_loads() -> None:
    class DownloadJob(BaseJob):
        video_url: str

    stored = (
        '{"id": "j", "status": "processing", "created_at": "2026-11-20T10:15:30", "video_url": "u", "progress": 12}'
    )
    job = DownloadJob.model_validate_json(stored)
    assert (job.video_url, job.status, job.progress) == ("u", JobStatus.PROCESSING, 12.0)


def test_a_job_stored_by_ytcaption_common_1_x_loads() -> None:
    # Our 1.x wrote timezone-aware UTC stamps and hex ids; they become naive local time.
    stored = '{"id": "ab12", "status": "completed", "created_at": "2026-11-20T10:15:30.000+00:00", "progress": 100}'
    job = BaseJob.model_validate_json(stored)
    expected = datetime(2026, 11, 20, 10, 15, 30, tzinfo=timezone.utc).astimezone().replace(tzinfo=None)
    assert job.created_at == expected and job.created_at.tzinfo is None and job.is_terminal
    assert (datetime.now() - job.created_at).total_seconds() > 0  # service code doing this keeps working


def test_health_response_defaults() -> None:
    health = BaseHealthResponse(status=HealthStatus.HEALTHY, service="svc", version="1.2.3")
    body = json.loads(health.model_dump_json())
    assert body["status"] == "healthy" and body["service"] == "svc" and body["version"] == "1.2.3"
    assert (body["uptime_seconds"], body["redis_connected"], body["celery_available"]) == (None, False, False)
    assert (body["active_jobs"], body["total_processed"]) == (0, 0)
    assert datetime.fromisoformat(body["timestamp"]) <= datetime.now()
    with pytest.raises(ValidationError):
        BaseHealthResponse(status="fine", service="svc", version="1")
