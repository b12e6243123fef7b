"""The job endpoints every service offers: create, read, cancel."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from ytcaption_common.log_utils import get_correlation_id
from ytcaption_common.service.jobs import JobRepository


def job_routes(jobs: JobRepository[Any], request_model: type[BaseModel], path: str) -> APIRouter:
    """``POST {path}`` makes a job from ``request_model`` (201), ``GET {path}/{job_id}``
    reads it (404 when missing), ``POST {path}/{job_id}/cancel`` cancels it (409 when final)."""
    router = APIRouter()
    job_model = jobs.model

    def create(request: BaseModel) -> BaseModel:
        fields = request.model_dump()
        correlation_id = get_correlation_id()
        if correlation_id:
            fields["correlation_id"] = correlation_id
        return jobs.save(job_model(**fields))

    # FastAPI reads the body's type from the signature: give it this service's request model.
    create.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=request_model)]
    )

    def read(job_id: str) -> BaseModel:
        return jobs.get(job_id)

    def cancel(job_id: str) -> BaseModel:
        return jobs.cancel(job_id)

    router.add_api_route(path, create, methods=["POST"], status_code=201, response_model=job_model)
    router.add_api_route(f"{path}/{{job_id}}", read, methods=["GET"], response_model=job_model)
    router.add_api_route(f"{path}/{{job_id}}/cancel", cancel, methods=["POST"], response_model=job_model)
    return router
