"""audio-normalization: normalises the loudness of downloaded audio."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ytcaption_common.config_utils import BaseServiceSettings
from ytcaption_common.log_utils import get_correlation_id
from ytcaption_common.models import BaseJob
from ytcaption_common.service import JobRepository, create_service_app

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


@app.post("/normalizations", status_code=201, response_model=NormalizationJob)
def create(request: NormalizationRequest) -> NormalizationJob:
    return jobs.save(NormalizationJob(**request.model_dump(), correlation_id=get_correlation_id()))


@app.get("/normalizations/{job_id}", response_model=NormalizationJob)
def read(job_id: str) -> NormalizationJob:
    return jobs.get(job_id)


@app.post("/normalizations/{job_id}/cancel", response_model=NormalizationJob)
def cancel(job_id: str) -> NormalizationJob:
    return jobs.cancel(job_id)
