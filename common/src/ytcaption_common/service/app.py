"""`create_service_app`: logging, correlation ids, error handlers, the Redis
store and `GET /health` for one service."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI

from ytcaption_common.config_utils import BaseServiceSettings
from ytcaption_common.exception_handlers import setup_exception_handlers
from ytcaption_common.log_utils import setup_structured_logging
from ytcaption_common.log_utils.middleware import CorrelationIdMiddleware
from ytcaption_common.models import HealthReport
from ytcaption_common.redis_utils import ResilientRedisStore


def installed_common_version() -> str:
    """The ytcaption-common version pip installed (package metadata, not source)."""
    try:
        return version("ytcaption-common")
    except PackageNotFoundError:
        return "unknown"


@dataclass
class ServiceContext:
    app: FastAPI
    settings: BaseServiceSettings
    store: ResilientRedisStore


def create_service_app(settings: BaseServiceSettings, service_version: str) -> ServiceContext:
    setup_structured_logging(settings.service_name, settings.log_level, json=settings.log_json)
    # Short timeouts: /health must answer "degraded" quickly while Redis is away.
    store = ResilientRedisStore(
        settings.redis_url,
        key_prefix=f"{settings.service_name}:",
        socket_timeout=1.0,
        connect_timeout=1.0,
        failure_threshold=3,
        reset_timeout=5.0,
    )
    app = FastAPI(title=settings.service_name, version=service_version, debug=settings.debug)
    app.add_middleware(CorrelationIdMiddleware)
    setup_exception_handlers(app)
    common_version = installed_common_version()

    @app.get("/health", response_model=HealthReport)
    def health() -> HealthReport:
        # The service stays up without Redis; it reports itself degraded.
        return HealthReport.from_checks(settings.service_name, service_version, common_version, {"redis": store.ping()})

    return ServiceContext(app, settings, store)
