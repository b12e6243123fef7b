"""Structured logging with correlation ids."""

from ytcaption_common.log_utils.context import (
    get_correlation_id,
    new_correlation_id,
    reset_correlation_id,
    set_correlation_id,
)
from ytcaption_common.log_utils.formatters import ConsoleFormatter, JsonFormatter
from ytcaption_common.log_utils.setup import setup_structured_logging

__all__ = [
    "ConsoleFormatter",
    "JsonFormatter",
    "get_correlation_id",
    "new_correlation_id",
    "reset_correlation_id",
    "set_correlation_id",
    "setup_structured_logging",
]
