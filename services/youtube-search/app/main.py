"""youtube-search: searches videos to caption."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ytcaption_common.config_utils import BaseServiceSettings
from ytcaption_common.models import BaseJob
from ytcaption_common.service import JobRepository, create_service_app, job_routes

SERVICE_VERSION = "0.1.0"


class Settings(BaseServiceSettings):
    service_name: str = "youtube-search"
    job_ttl_seconds: int = 86_400


class SearchJob(BaseJob):
    query: str
    max_results: int = 10


class SearchRequest(BaseModel):
    query: str = Field(min_length=1)
    max_results: int = Field(default=10, ge=1, le=50)


settings = Settings()
service = create_service_app(settings, SERVICE_VERSION)
app = service.app
jobs = JobRepository(service.store, SearchJob, ttl_seconds=settings.job_ttl_seconds)

app.include_router(job_routes(jobs, SearchRequest, "/searches"))
