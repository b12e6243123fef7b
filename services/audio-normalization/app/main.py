"""audio-normalization: normalises the loudness of downloaded audio."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ytcaption_common.config_utils import BaseServiceSettings
from ytcaption_common.models import BaseJob
from ytcaption_common.service import JobRepository, create_service_app, job_routes

SERVICE_VERSION = "0.1.0"


class Settings(BaseServiceSettings):
    service_name: str = "audio-normalization"
    job_ttl_seconds: int = 86_400


class NormalizationJob(BaseJob):
    audio_url: str
    target_lufs: float = -16.0


class NormalizationRequest(BaseModel):
    audio_url: str = Field(min_length=1)
    target_lufs: float = Field(default=-16.0, ge=-70.0, le=0.0)


settings = Settings()
service = create_service_app(settings, SERVICE_VERSION)
app = service.app
jobs = JobRepository(service.store, NormalizationJob, ttl_seconds=settings.job_ttl_seconds)

app.include_router(job_routes(jobs, NormalizationRequest, "/normalizations"))
