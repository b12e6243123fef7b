"""Service exceptions and the FastAPI handlers that render every error as
``{"error": CODE, "message": ..., "details"?: ...}``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

__all__ = [
    "BaseServiceException",
    "ProcessingException",
    "RateLimitException",
    "ResourceNotFoundException",
    "ServiceUnavailableException",
    "ValidationException",
    "create_exception_handler",
    "setup_exception_handlers",
]

logger = logging.getLogger("ytcaption_common.exception_handlers")

Handler = Callable[[Request, Exception], Awaitable[JSONResponse]]


class BaseServiceException(Exception):
    """An error a service raises on purpose: its HTTP status, a machine-readable code, details."""

    def __init__(
        self,
        message: str,
        status_code: int = 500,
        error_code: str = "INTERNAL_ERROR",
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error_code = error_code
        self.details = details


class ValidationException(BaseServiceException):
    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, 400, "VALIDATION_ERROR", details)


class ResourceNotFoundException(BaseServiceException):
    def __init__(self, resource_type: str, resource_id: str) -> None:
        super().__init__(
            f"{resource_type} not found: {resource_id}",
            404,
            "RESOURCE_NOT_FOUND",
            {"resource_type": resource_type, "resource_id": resource_id},
        )


class ProcessingException(BaseServiceException):
    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, 500, "PROCESSING_ERROR", details)


class ServiceUnavailableException(BaseServiceException):
    def __init__(self, service_name: str, reason: str | None = None) -> None:
        message = f"{service_name} is unavailable" + (f": {reason}" if reason else "")
        details: dict[str, Any] = {"service": service_name}
        if reason:
            details["reason"] = reason
        super().__init__(message, 503, "SERVICE_UNAVAILABLE", details)


class RateLimitException(BaseServiceException):
    def __init__(self, limit: int, window: str) -> None:
        super().__init__(
            f"Rate limit exceeded: {limit} requests per {window}",
            429,
            "RATE_LIMIT_EXCEEDED",
            {"limit": limit, "window": window},
        )


def _body(error: str, message: str, details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": error, "message": message}
    if details:
        body["details"] = jsonable_encoder(details)
    return body


def create_exception_handler(
    exception_class: type, default_status_code: int = 500, log_traceback: bool = True
) -> Handler:
    """An async ``(request, exc) -> JSONResponse`` handler for ``exception_class``.

    Status, code, message and details come from the exception's ``status_code``,
    ``error_code``, ``message`` and ``details`` when it has them.
    """

    async def handler(request: Request, exc: Exception) -> JSONResponse:
        status = int(getattr(exc, "status_code", default_status_code))
        code = getattr(exc, "error_code", None) or ("INTERNAL_ERROR" if status >= 500 else exception_class.__name__)
        message = getattr(exc, "message", None) or str(exc) or exception_class.__name__
        log = logger.error if status >= 500 else logger.warning
        log(
            "%s on %s %s: %s",
            code,
            request.method,
            request.url.path,
            message,
            exc_info=exc if log_traceback and status >= 500 else None,
        )
        return JSONResponse(_body(code, message, getattr(exc, "details", None)), status_code=status)

    return handler


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(
        {"error": "HTTP_ERROR", "message": exc.detail}, status_code=exc.status_code, headers=exc.headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    logger.warning("request validation failed on %s %s", request.method, request.url.path)
    return JSONResponse(
        {
            "error": "VALIDATION_ERROR",
            "message": "Request validation failed",
            "details": jsonable_encoder(exc.errors()),
        },
        status_code=422,
    )


def _unexpected_error(debug: bool) -> Handler:
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the log; the client learns internals only in debug mode.
        logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        body: dict[str, Any] = {"error": "INTERNAL_ERROR", "message": "An unexpected error occurred"}
        if debug:
            body["details"] = {"exception_type": type(exc).__name__, "exception_message": str(exc)}
        return JSONResponse(body, status_code=500)

    return handler


def setup_exception_handlers(app: FastAPI, debug: bool = False) -> None:
    """Register the handlers for service exceptions, HTTP errors, request validation and the rest."""
    app.add_exception_handler(BaseServiceException, create_exception_handler(BaseServiceException))
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error(debug))
