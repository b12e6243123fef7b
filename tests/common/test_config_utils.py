"""Settings from the environment: upper-case field name, no prefix."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from ytcaption_common.config_utils import BaseServiceSettings, CelerySettings, LoggingSettings, RedisSettings

DEFAULTS = {
    "app_version": "1.0.0",
    "environment": "production",
    "debug": False,
    "host": "0.0.0.0",
    "port": 8000,
    "workers": 1,
    "redis_max_connections": 50,
    "cache_ttl_hours": 24,
    "cache_cleanup_interval_minutes": 30,
    "max_file_size_mb": 500,
    "max_concurrent_jobs": 3,
    "job_timeout_minutes": 60,
    "upload_dir": "./uploads",
    "processed_dir": "./processed",
    "temp_dir": "./temp",
    "log_dir": "./logs",
    "log_level": "INFO",
    "log_format": "json",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in [*DEFAULTS, "app_name", "redis_url", "celery_broker_url", "celery_result_backend"]:
        monkeypatch.delenv(name.upper(), raising=False)


def test_required_fields_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError) as err:
        BaseServiceSettings()
    missing = {e["loc"][0] for e in err.value.errors() if e["type"] == "missing"}
    assert missing == {"app_name", "redis_url"}
    monkeypatch.setenv("APP_NAME", "video-downloader")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/1")
    settings = BaseServiceSettings()
    assert (settings.app_name, settings.redis_url) == ("video-downloader", "redis://cache:6379/1")
    assert {k: getattr(settings, k) for k in DEFAULTS} == DEFAULTS


@pytest.mark.parametrize(
    ("var", "value", "field", "expected"),
    [
        ("DEBUG", "true", "debug", True),
        ("PORT", "8002", "port", 8002),
        ("WORKERS", "4", "workers", 4),
        ("ENVIRONMENT", "Staging", "environment", "staging"),
        ("LOG_LEVEL", "debug", "log_level", "DEBUG"),
        ("LOG_FORMAT", "text", "log_format", "text"),
        ("MAX_FILE_SIZE_MB", "10", "max_file_size_mb", 10),
        ("LOG_DIR", "/var/log/svc", "log_dir", "/var/log/svc"),
        ("redis_max_connections", "7", "redis_max_connections", 7),  # case-insensitive
    ],
)
def test_each_field_reads_its_upper_case_variable(monkeypatch, var, value, field, expected) -> None:
    monkeypatch.setenv(var, value)
    settings = BaseServiceSettings(app_name="a", redis_url="redis://x")
    assert getattr(settings, field) == expected


def test_prefixed_variables_are_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTC_REDIS_URL", "redis://old-style")
    monkeypatch.setenv("REDIS_URL", "redis://new-style")
    assert BaseServiceSettings(app_name="a").redis_url == "redis://new-style"


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("PORT", "0"),
        ("PORT", "65536"),
        ("WORKERS", "0"),
        ("CACHE_TTL_HOURS", "0"),
        ("MAX_FILE_SIZE_MB", "0"),
        ("ENVIRONMENT", "qa"),
        ("LOG_LEVEL", "LOUD"),
        ("LOG_FORMAT", "xml"),
    ],
)
def test_invalid_values_are_refused(monkeypatch, var, value) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ValidationError):
        BaseServiceSettings(app_name="a", redis_url="redis://x")


def test_dot_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("APP_NAME=from-dotenv\nREDIS_URL=redis://dotenv:6379/0\n")
    settings = BaseServiceSettings()
    assert (settings.app_name, settings.redis_url) == ("from-dotenv", "redis://dotenv:6379/0")


def test_subclass_gives_defaults_and_new_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    class Settings(BaseServiceSettings):
        app_name: str = "youtube-search"
        redis_url: str = "redis://localhost:6379/0"
        youtube_api_key: str = ""

    monkeypatch.setenv("YOUTUBE_API_KEY", "k")
    settings = Settings()
    assert (settings.app_name, settings.youtube_api_key) == ("youtube-search", "k")


def test_create_directories(tmp_path: Path) -> None:
    settings = BaseServiceSettings(
        app_name="a",
        redis_url="redis://x",
        upload_dir=str(tmp_path / "u" / "deep"),
        processed_dir=str(tmp_path / "p"),
        temp_dir=str(tmp_path / "t"),
        log_dir=str(tmp_path / "l"),
    )
    settings.create_directories()
    settings.create_directories()  # idempotent
    assert all((tmp_path / d).is_dir() for d in ("u/deep", "p", "t", "l"))


def test_redis_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_CIRCUIT_BREAKER_TIMEOUT", "7")
    settings = BaseServiceSettings(app_name="a", redis_url="redis://r:6379/2", redis_max_connections=9)
    redis_settings = settings.get_redis_settings()
    assert isinstance(redis_settings, RedisSettings)
    assert (redis_settings.redis_url, redis_settings.redis_max_connections) == ("redis://r:6379/2", 9)
    assert redis_settings.redis_circuit_breaker_timeout == 7
    defaults = RedisSettings(redis_url="redis://x")
    assert (
        defaults.redis_socket_timeout,
        defaults.redis_socket_connect_timeout,
        defaults.redis_retry_on_timeout,
        defaults.redis_health_check_interval,
        defaults.redis_circuit_breaker_enabled,
        defaults.redis_circuit_breaker_max_failures,
        defaults.redis_max_connections,
    ) == (10, 5, True, 30, True, 5, 50)
    with pytest.raises(ValidationError):
        RedisSettings()


def test_logging_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = BaseServiceSettings(app_name="a", redis_url="redis://x", log_level="warning", log_dir="/l")
    logging_settings = settings.get_logging_settings()
    assert isinstance(logging_settings, LoggingSettings)
    assert (logging_settings.log_level, logging_settings.log_dir, logging_settings.log_format) == (
        "WARNING",
        "/l",
        "json",
    )
    assert (logging_settings.log_to_console, logging_settings.log_to_file) == (True, True)
    assert LoggingSettings().log_dir == "./logs"
    monkeypatch.setenv("LOG_TO_FILE", "false")
    assert LoggingSettings().log_to_file is False
    for bad in ({"log_level": "TRACE"}, {"log_format": "xml"}):
        with pytest.raises(ValidationError):
            LoggingSettings(**bad)


def test_celery_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert CelerySettings().celery_broker_url is None
    monkeypatch.setenv("REDIS_URL", "redis://broker:6379/0")
    celery = CelerySettings()
    assert celery.celery_broker_url == celery.celery_result_backend == "redis://broker:6379/0"
    assert (celery.celery_task_serializer, celery.celery_result_serializer, celery.celery_accept_content) == (
        "json",
        "json",
        ["json"],
    )
    assert (celery.celery_timezone, celery.celery_enable_utc, celery.celery_task_track_started) == ("UTC", True, True)
    assert (celery.celery_task_time_limit, celery.celery_task_soft_time_limit) == (1800, 1500)
    assert (celery.celery_worker_prefetch_multiplier, celery.celery_worker_max_tasks_per_child) == (1, 100)
    monkeypatch.setenv("CELERY_RESULT_BACKEND", "redis://results:6379/1")
    assert CelerySettings().celery_result_backend == "redis://results:6379/1"
