"""Jobs kept as JSON in Redis through the plain redis-py client, with the errors
a client should see: 404 for a missing job, 409 for a finished one, 503 while
Redis is away."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import redis

from ytcaption_common.exception_handlers import (
    BaseServiceException,
    ResourceNotFoundException,
    ServiceUnavailableException,
)
from ytcaption_common.models import BaseJob

JobT = TypeVar("JobT", bound=BaseJob)


class JobRepository(Generic[JobT]):
    """``redis`` returns the current client, or None while not connected."""

    def __init__(
        self,
        redis_client: Callable[[], redis.Redis | None],
        model: type[JobT],
        key_prefix: str = "job:",
        ttl_seconds: int = 86_400,
    ) -> None:
        self._redis = redis_client
        self.model = model
        self.key_prefix = key_prefix
        self.ttl_seconds = ttl_seconds

    def _client(self) -> redis.Redis:
        client = self._redis()
        if client is None:
            raise ServiceUnavailableException("redis", "not connected yet; retry shortly")
        return client

    def save(self, job: JobT) -> JobT:
        try:
            self._client().set(f"{self.key_prefix}{job.id}", job.model_dump_json(), ex=self.ttl_seconds)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise ServiceUnavailableException("redis", f"{exc}; retry shortly") from exc
        return job

    def get(self, job_id: str) -> JobT:
        try:
            raw = self._client().get(f"{self.key_prefix}{job_id}")
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise ServiceUnavailableException("redis", f"{exc}; retry shortly") from exc
        if raw is None:
            raise ResourceNotFoundException("job", job_id)
        return self.model.model_validate_json(raw)

    def cancel(self, job_id: str, reason: str | None = None) -> JobT:
        job = self.get(job_id)
        if job.is_terminal:
            raise BaseServiceException(
                f"job {job_id} is already {job.status.value}; only unfinished jobs can be cancelled",
                409,
                "CONFLICT",
                {"job_id": job_id, "status": job.status.value},
            )
        job.mark_as_cancelled(reason)
        return self.save(job)
