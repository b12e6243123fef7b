"""Service exceptions and FastAPI handlers (``exception_handlers.handlers``)."""

from ytcaption_common.exception_handlers.handlers import (
    BaseServiceException,
    ProcessingException,
    ResourceNotFoundException,
    ServiceUnavailableException,
    ValidationException,
    create_exception_handler,
    setup_exception_handlers,
)

__all__ = [
    "BaseServiceException",
    "ProcessingException",
    "ResourceNotFoundException",
    "ServiceUnavailableException",
    "ValidationException",
    "create_exception_handler",
    "setup_exception_handlers",
]
