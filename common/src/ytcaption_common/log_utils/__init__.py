"""Structured logging with correlation ids (``log_utils.structured``)."""

from ytcaption_common.log_utils.structured import (
    JSONFormatter,
    get_correlation_id,
    get_logger,
    set_correlation_id,
    setup_structured_logging,
)

__all__ = ["JSONFormatter", "get_correlation_id", "get_logger", "set_correlation_id", "setup_structured_logging"]
