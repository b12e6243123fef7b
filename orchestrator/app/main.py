"""orchestrator: accepts caption requests and tracks each as a job."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ytcaption_common.config_utils import BaseServiceSettings
from ytcaption_common.models import BaseJob
from ytcaption_common.service import JobRepository, create_service_app, job_routes

SERVICE_VERSION = "0.1.0"


class Settings(BaseServiceSettings):
    service_name: str = "orchestrator"
    job_ttl_seconds: int = 86_400


class CaptionJob(BaseJob):
    video_url: str
    language: str = "en"


class CaptionRequest(BaseModel):
    video_url: str = Field(min_length=1)
    language: str = "en"


settings = Settings()
service = create_service_app(settings, SERVICE_VERSION)
app = service.app
jobs = JobRepository(service.store, CaptionJob, ttl_seconds=settings.job_ttl_seconds)

app.include_router(job_routes(jobs, CaptionRequest, "/jobs"))
