"""Service errors and the FastAPI handlers that render every error one way."""

from ytcaption_common.exception_handlers.errors import (
    ConflictError,
    NotFoundError,
    ProcessingError,
    ServiceError,
    ServiceUnavailableError,
    ValidationError,
)
from ytcaption_common.exception_handlers.handlers import error_body, setup_exception_handlers

__all__ = [
    "ConflictError",
    "NotFoundError",
    "ProcessingError",
    "ServiceError",
    "ServiceUnavailableError",
    "ValidationError",
    "error_body",
    "setup_exception_handlers",
]
