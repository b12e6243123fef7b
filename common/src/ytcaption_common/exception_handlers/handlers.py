"""FastAPI exception handlers: every error leaves as
``{"error", "message", "details", "correlation_id"}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ytcaption_common.exception_handlers.errors import ServiceError
from ytcaption_common.log_utils.context import get_correlation_id

logger = logging.getLogger("ytcaption_common.errors")


def error_body(error: str, message: str, details: Any = None) -> dict[str, Any]:
    return {
        "error": error,
        "message": message,
        "details": details if details is not None else {},
        "correlation_id": get_correlation_id(),
    }


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    log = logger.error if exc.status_code >= 500 else logger.info
    log("%s: %s", exc.code, exc.message, extra={"path": request.url.path, "status": exc.status_code})
    return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=exc.status_code)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = "not_found" if exc.status_code == 404 else f"http_{exc.status_code}"
    return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
    return JSONResponse(
        error_body("validation_error", "request validation failed", {"errors": errors}), status_code=422
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the log; the client learns nothing about internals.
    logger.error("unhandled error on %s", request.url.path, exc_info=exc)
    return JSONResponse(
        error_body("internal_error", "an unexpected error occurred; quote the correlation id when reporting it"),
        status_code=500,
    )


def setup_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
