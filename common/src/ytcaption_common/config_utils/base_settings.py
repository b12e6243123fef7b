"""Service settings read from the environment: the variable is the field name
in upper case, no prefix (``REDIS_URL``, ``APP_NAME``...), and ``.env``."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["BaseServiceSettings", "CelerySettings", "LoggingSettings", "RedisSettings"]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ENVIRONMENTS = ("development", "staging", "production")
LOG_FORMATS = ("json", "text")

_CONFIG = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", case_sensitive=False, extra="ignore")


def _log_level(value: str) -> str:
    name = str(value).strip().upper()
    if name not in LOG_LEVELS:
        raise ValueError(f"unknown log level {value!r}; use one of {', '.join(LOG_LEVELS)}")
    return name


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    name = str(value).strip().lower()
    if name not in allowed:
        raise ValueError(f"unknown {what} {value!r}; use one of {', '.join(allowed)}")
    return name


class RedisSettings(BaseSettings):
    model_config = _CONFIG

    redis_url: str
    redis_max_connections: int = Field(default=50, ge=1)
    redis_socket_timeout: int = 10
    redis_socket_connect_timeout: int = 5
    redis_retry_on_timeout: bool = True
    redis_health_check_interval: int = 30
    redis_circuit_breaker_enabled: bool = True
    redis_circuit_breaker_max_failures: int = Field(default=5, ge=1)
    redis_circuit_breaker_timeout: int = Field(default=60, ge=0)


class CelerySettings(BaseSettings):
    """Broker and result backend fall back to ``REDIS_URL`` when unset."""

    model_config = _CONFIG

    redis_url: str | None = None
    celery_broker_url: str | None = None
    celery_result_backend: str | None = None
    celery_task_serializer: str = "json"
    celery_result_serializer: str = "json"
    celery_accept_content: list[str] = Field(default_factory=lambda: ["json"])
    celery_timezone: str = "UTC"
    celery_enable_utc: bool = True
    celery_task_track_started: bool = True
    celery_task_time_limit: int = 1800
    celery_task_soft_time_limit: int = 1500
    celery_worker_prefetch_multiplier: int = 1
    celery_worker_max_tasks_per_child: int = 100

    @model_validator(mode="after")
    def _default_to_redis(self) -> CelerySettings:
        if self.celery_broker_url is None:
            self.celery_broker_url = self.redis_url
        if self.celery_result_backend is None:
            self.celery_result_backend = self.redis_url
        return self


class LoggingSettings(BaseSettings):
    model_config = _CONFIG

    log_level: str = "INFO"
    log_dir: str = "./logs"
    log_format: str = "json"
    log_to_console: bool = True
    log_to_file: bool = True

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        return _log_level(value)

    @field_validator("log_format")
    @classmethod
    def _format(cls, value: str) -> str:
        return _one_of(value, LOG_FORMATS, "log format")


class BaseServiceSettings(BaseSettings):
    """Subclass per service (give ``app_name`` a default there if it should start without ``APP_NAME``)."""

    model_config = _CONFIG

    app_name: str
    app_version: str = "1.0.0"
    environment: str = "production"
    debug: bool = False
    host: str = "0.0.0.0"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1)
    redis_url: str
    redis_max_connections: int = Field(default=50, ge=1)
    cache_ttl_hours: int = Field(default=24, ge=1)
    cache_cleanup_interval_minutes: int = 30
    max_file_size_mb: int = Field(default=500, ge=1)
    max_concurrent_jobs: int = 3
    job_timeout_minutes: int = 60
    upload_dir: str = "./uploads"
    processed_dir: str = "./processed"
    temp_dir: str = "./temp"
    log_dir: str = "./logs"
    log_level: str = "INFO"
    log_format: str = "json"

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: str) -> str:
        return _one_of(value, ENVIRONMENTS, "environment")

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        return _log_level(value)

    @field_validator("log_format")
    @classmethod
    def _format(cls, value: str) -> str:
        return _one_of(value, LOG_FORMATS, "log format")

    def create_directories(self) -> None:
        """Create the upload, processed, temp and log folders (and their parents)."""
        for directory in (self.upload_dir, self.processed_dir, self.temp_dir, self.log_dir):
            Path(directory).mkdir(parents=True, exist_ok=True)

    def get_redis_settings(self) -> RedisSettings:
        """This service's Redis URL and pool size; the other Redis knobs from their env vars."""
        return RedisSettings(redis_url=self.redis_url, redis_max_connections=self.redis_max_connections)

    def get_logging_settings(self) -> LoggingSettings:
        return LoggingSettings(log_level=self.log_level, log_dir=self.log_dir, log_format=self.log_format)
