"""Errors a service raises on purpose: each carries its HTTP status and a
machine-readable code."""

from __future__ import annotations

from typing import Any, ClassVar


class ServiceError(Exception):
    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "service_error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ValidationError(ServiceError):
    status_code = 400
    code = "validation_error"


class NotFoundError(ServiceError):
    status_code = 404
    code = "not_found"


class ConflictError(ServiceError):
    status_code = 409
    code = "conflict"


class ProcessingError(ServiceError):
    status_code = 500
    code = "processing_error"


class ServiceUnavailableError(ServiceError):
    status_code = 503
    code = "service_unavailable"
