"""video-downloader: downloads a video's audio track for captioning."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ytcaption_common.config_utils import BaseServiceSettings
from ytcaption_common.models import BaseJob
from ytcaption_common.service import JobRepository, create_service_app, job_routes

SERVICE_VERSION = "0.1.0"


class Settings(BaseServiceSettings):
    service_name: str = "video-downloader"
    job_ttl_seconds: int = 86_400


class DownloadJob(BaseJob):
    video_url: str
    audio_format: str = "wav"


class DownloadRequest(BaseModel):
    video_url: str = Field(min_length=1)
    audio_format: str = Field(default="wav", pattern="^(wav|mp3|flac)$")


settings = Settings()
service = create_service_app(settings, SERVICE_VERSION)
app = service.app
jobs = JobRepository(service.store, DownloadJob, ttl_seconds=settings.job_ttl_seconds)

app.include_router(job_routes(jobs, DownloadRequest, "/downloads"))
