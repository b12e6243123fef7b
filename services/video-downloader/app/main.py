"""video-downloader: downloads a video's audio track for captioning."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import BaseModel, Field

from ytcaption_common.config_utils import BaseServiceSettings
from ytcaption_common.exception_handlers import setup_exception_handlers
from ytcaption_common.log_utils import get_logger, setup_structured_logging
from ytcaption_common.log_utils.middleware import CorrelationIdMiddleware
from ytcaption_common.models import BaseJob
from ytcaption_common.redis_utils import ResilientRedisStore
from ytcaption_common.service import JobRepository, RedisConnection, health_router, job_routes

SERVICE_NAME = "video-downloader"
SERVICE_VERSION = "0.1.0"


class Settings(BaseServiceSettings):
    """Environment: REDIS_URL, LOG_LEVEL, LOG_DIR, DEBUG, REDIS_CIRCUIT_BREAKER_* ... (no prefix)."""

    app_name: str = SERVICE_NAME
    app_version: str = SERVICE_VERSION
    redis_url: str = "redis://localhost:6379/0"
    job_ttl_seconds: int = 86_400


class DownloadJob(BaseJob):
    video_url: str
    audio_format: str = "wav"


class DownloadRequest(BaseModel):
    video_url: str = Field(min_length=1)
    audio_format: str = Field(default="wav", pattern="^(wav|mp3|flac)$")


settings = Settings()
setup_structured_logging(
    service_name=SERVICE_NAME,
    log_level=settings.log_level,
    log_dir=settings.log_dir,
    json_format=settings.log_format == "json",
)
logger = get_logger(__name__)
redis_settings = settings.get_redis_settings()


def connect_store() -> ResilientRedisStore:
    return ResilientRedisStore(
        redis_url=settings.redis_url,
        max_connections=50,
        circuit_breaker_enabled=True,
        circuit_breaker_max_failures=int(redis_settings.redis_circuit_breaker_max_failures),
        circuit_breaker_timeout=int(redis_settings.redis_circuit_breaker_timeout),
    )


# The store's constructor raises while Redis is down; connecting in the background
# lets the service start anyway and report "degraded" on /health until Redis answers.
connection = RedisConnection(connect_store)
jobs = JobRepository(
    lambda: connection.redis, DownloadJob, key_prefix=f"{SERVICE_NAME}:job:", ttl_seconds=settings.job_ttl_seconds
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    logger.info("%s %s starting", SERVICE_NAME, SERVICE_VERSION)
    connection.start()
    yield
    connection.close()


app = FastAPI(title=SERVICE_NAME, version=SERVICE_VERSION, debug=settings.debug, lifespan=lifespan)
app.add_middleware(CorrelationIdMiddleware)
setup_exception_handlers(app, debug=settings.debug)
app.include_router(health_router(SERVICE_NAME, SERVICE_VERSION, connection))
app.include_router(job_routes(jobs, DownloadRequest, "/downloads"))
