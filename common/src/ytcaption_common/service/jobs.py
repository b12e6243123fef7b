"""Jobs kept in the Redis store, with the errors a client should see."""

from __future__ import annotations

from typing import Generic, TypeVar

from ytcaption_common.exception_handlers import ConflictError, NotFoundError, ServiceUnavailableError
from ytcaption_common.models import BaseJob, InvalidTransitionError
from ytcaption_common.redis_utils import ResilientRedisStore, StoreUnavailableError

JobT = TypeVar("JobT", bound=BaseJob)


class JobRepository(Generic[JobT]):
    """save/get/cancel for one job type; a missing job is a 404, Redis down a 503,
    an illegal transition a 409."""

    def __init__(self, store: ResilientRedisStore, model: type[JobT], ttl_seconds: int = 86_400) -> None:
        self.store = store
        self.model = model
        self.ttl_seconds = ttl_seconds

    def save(self, job: JobT) -> JobT:
        try:
            self.store.set_json(f"job:{job.id}", job.model_dump(mode="json"), ttl_seconds=self.ttl_seconds)
        except StoreUnavailableError as exc:
            raise ServiceUnavailableError("the job store is unavailable; retry shortly") from exc
        return job

    def get(self, job_id: str) -> JobT:
        try:
            raw = self.store.get_json(f"job:{job_id}")
        except StoreUnavailableError as exc:
            raise ServiceUnavailableError("the job store is unavailable; retry shortly") from exc
        if raw is None:
            raise NotFoundError(f"job {job_id} not found", details={"job_id": job_id})
        return self.model.model_validate(raw)

    def cancel(self, job_id: str) -> JobT:
        job = self.get(job_id)
        try:
            job.cancel()
        except InvalidTransitionError as exc:
            raise ConflictError(str(exc), details={"job_id": job_id, "status": job.status}) from exc
        return self.save(job)
