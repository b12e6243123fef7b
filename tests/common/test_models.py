from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from ytcaption_common.models import BaseJob, HealthReport, HealthStatus, InvalidTransitionError, JobStatus


def test_job_happy_path_sets_timestamps_and_duration() -> None:
    job = BaseJob(correlation_id="cid-1")
    assert job.status is JobStatus.PENDING and not job.is_terminal
    job.start()
    assert job.status is JobStatus.PROCESSING and job.started_at is not None
    job.update_progress(42.5)
    assert job.progress == 42.5
    job.complete()
    assert job.status is JobStatus.COMPLETED and job.is_terminal
    assert job.progress == 100.0
    assert job.duration_seconds is not None and job.duration_seconds >= 0
    assert job.completed_at is not None and job.completed_at.tzinfo is UTC


def test_completing_a_cancelled_job_is_refused_with_a_clear_error() -> None:
    job = BaseJob()
    job.cancel()
    with pytest.raises(InvalidTransitionError, match="cannot move from 'cancelled' to 'completed'"):
        job.complete()
    assert job.status is JobStatus.CANCELLED


def test_pending_job_cannot_complete_without_starting() -> None:
    with pytest.raises(InvalidTransitionError, match="allowed from 'pending'"):
        BaseJob().complete()


def test_failed_job_records_error_and_can_be_retried() -> None:
    job = BaseJob()
    job.start()
    job.fail(TimeoutError("download stalled"))
    assert (job.status, job.error_type, job.error_message) == (JobStatus.FAILED, "TimeoutError", "download stalled")
    assert job.is_terminal
    job.retry()
    assert job.status is JobStatus.PENDING and job.retry_count == 1 and job.error_message is None


@pytest.mark.parametrize("progress", [-0.1, 100.1])
def test_progress_outside_0_100_is_rejected(progress: float) -> None:
    with pytest.raises(ValidationError):
        BaseJob(progress=progress)
    job = BaseJob()
    job.start()
    with pytest.raises(ValidationError):
        job.update_progress(progress)


def test_timestamps_are_normalised_to_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    job = BaseJob(created_at=datetime(2026, 1, 1, 12, 0, tzinfo=plus_two))
    assert job.created_at == datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    assert job.created_at.utcoffset() == timedelta(0)
    naive = BaseJob(created_at=datetime(2026, 1, 1, 12, 0))
    assert naive.created_at.tzinfo is UTC


def test_expiry() -> None:
    assert not BaseJob.with_ttl(timedelta(hours=1)).is_expired
    assert BaseJob.with_ttl(timedelta(seconds=-1)).is_expired
    assert not BaseJob().is_expired


def test_job_round_trips_through_json() -> None:
    job = BaseJob()
    job.start()
    again = BaseJob.model_validate_json(job.model_dump_json())
    assert again == job


def test_health_report_degrades_when_a_check_fails() -> None:
    ok = HealthReport.from_checks("orchestrator", "0.1.0", "1.0.0", {"redis": True})
    assert ok.status is HealthStatus.HEALTHY and ok.checks == {"redis": "ok"}
    bad = HealthReport.from_checks("orchestrator", "0.1.0", "1.0.0", {"redis": False})
    assert bad.status is HealthStatus.DEGRADED and bad.checks == {"redis": "failing"}
    assert bad.model_dump(mode="json")["status"] == "degraded"
