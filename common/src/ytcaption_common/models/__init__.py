"""Job and health models (``models.base``)."""

from ytcaption_common.models.base import BaseJob, HealthStatus, JobStatus

__all__ = ["BaseJob", "HealthStatus", "JobStatus"]
