"""Wiring every YTCaption HTTP service shares, so a service's own code is its domain."""

from ytcaption_common.service.app import ServiceContext, create_service_app, installed_common_version
from ytcaption_common.service.jobs import JobRepository
from ytcaption_common.service.routes import job_routes

__all__ = ["JobRepository", "ServiceContext", "create_service_app", "installed_common_version", "job_routes"]
