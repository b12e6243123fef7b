"""One call that configures the root logger for a service."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from ytcaption_common.log_utils.formatters import ConsoleFormatter, JsonFormatter

LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")

# Marks the handler we install so a second call replaces it instead of adding another.
_HANDLER_MARK = "_ytcaption_common_handler"


def parse_level(level: str | int) -> int:
    if isinstance(level, int):
        return level
    name = level.strip().upper()
    if name not in LEVELS:
        raise ValueError(f"Unknown log level {level!r}; use one of {', '.join(LEVELS)}")
    return getattr(logging, name)


def setup_structured_logging(
    service: str,
    level: str | int = "INFO",
    json: bool = True,
    stream: TextIO | None = None,
) -> logging.Logger:
    """Send every log record to ``stream`` (stderr) as JSON lines or console text.

    Safe to call more than once: the previous handler installed by this
    function is replaced, never duplicated.
    """
    numeric_level = parse_level(level)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(service) if json else ConsoleFormatter(service))
    setattr(handler, _HANDLER_MARK, True)
    root.addHandler(handler)
    root.setLevel(numeric_level)
    return logging.getLogger(service)
