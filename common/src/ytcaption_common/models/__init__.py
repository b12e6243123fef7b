"""Data models shared by every service."""

from ytcaption_common.models.health import HealthReport, HealthStatus
from ytcaption_common.models.job import BaseJob, InvalidTransitionError, JobStatus

__all__ = ["BaseJob", "HealthReport", "HealthStatus", "InvalidTransitionError", "JobStatus"]
