"""Structured logging as the services call it: ``setup_structured_logging`` puts
a console handler on stdout and rotating files in ``log_dir``; ``JSONFormatter``
writes one JSON object per line."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import datetime, timezone
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

from ytcaption_common.log_utils.context import get_correlation_id, set_correlation_id

__all__ = [
    "ConsoleFormatter",
    "JSONFormatter",
    "get_correlation_id",
    "get_logger",
    "set_correlation_id",
    "setup_structured_logging",
]

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# Record attributes (set with `extra=`) that JSONFormatter lifts into the line.
CONTEXT_FIELDS = ("job_id", "service", "user_id", "duration_ms")

JSON_FILE_BYTES, JSON_FILE_BACKUPS = 100 * 1024 * 1024, 10
TEXT_FILE_BYTES, TEXT_FILE_BACKUPS = 50 * 1024 * 1024, 5


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")


class JSONFormatter(logging.Formatter):
    """``{"timestamp", "level", "logger", "message"}`` plus ``correlation_id`` when one
    is set, the context fields a record carries and an ``exception`` object."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        correlation_id = get_correlation_id()
        if correlation_id:
            entry["correlation_id"] = correlation_id
        for field in CONTEXT_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, exc, tb = record.exc_info
            entry["exception"] = {
                "type": exc_type.__name__,
                "message": str(exc),
                "traceback": "".join(traceback.format_exception(exc_type, exc, tb)),
            }
        # default=str: a value JSON cannot encode is logged as text, not lost.
        return json.dumps(entry, default=str, ensure_ascii=False)


class ConsoleFormatter(logging.Formatter):
    """``2026-11-28T12:00:00.000+00:00 INFO     [cid] logger: message`` for people."""

    def format(self, record: logging.LogRecord) -> str:
        parts = [_timestamp(record), f"{record.levelname:<8}"]
        correlation_id = get_correlation_id()
        if correlation_id:
            parts.append(f"[{correlation_id}]")
        parts.append(f"{record.name}: {record.getMessage()}")
        line = " ".join(parts)
        if record.exc_info and record.exc_info[0] is not None:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _ServiceName(logging.Filter):
    """Stamps ``service`` on records that do not name one, so every line says who wrote it."""

    def __init__(self, service_name: str) -> None:
        super().__init__()
        self.service_name = service_name

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "service"):
            record.service = self.service_name
        return True


class _ExactLevel(logging.Filter):
    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno == self.level


def _level(log_level: str) -> int:
    name = str(log_level).strip().upper()
    if name not in LEVELS:
        raise ValueError(f"unknown log level {log_level!r}; use one of {', '.join(LEVELS)}")
    return int(getattr(logging, name))


def setup_structured_logging(
    service_name: str,
    log_level: str = "INFO",
    log_dir: str = "./logs",
    enable_console: bool = True,
    enable_file: bool = True,
    json_format: bool = True,
) -> logging.Logger:
    """Replace the root logger's handlers: console on stdout; with ``enable_file``
    ``<log_dir>/<service_name>.json`` (JSON mode, 100 MB x 10) or one
    ``<log_dir>/<service_name>_<level>.log`` per level (text mode, 50 MB x 5).

    Returns the service's logger. Calling it again replaces, never duplicates.
    """
    level = _level(log_level)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    stamp = _ServiceName(service_name)
    formatter: logging.Formatter = JSONFormatter() if json_format else ConsoleFormatter()
    handlers: list[logging.Handler] = []
    if enable_console:
        console = logging.StreamHandler(sys.stdout)
        console.setFormatter(formatter)
        handlers.append(console)
    if enable_file:
        directory = Path(log_dir)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OSError(
                f"cannot create the log directory {directory.resolve()}: {exc}; "
                "set log_dir (LOG_DIR) to a writable folder or pass enable_file=False"
            ) from exc
        if json_format:
            file_handler = RotatingFileHandler(
                directory / f"{service_name}.json",
                maxBytes=JSON_FILE_BYTES,
                backupCount=JSON_FILE_BACKUPS,
                encoding="utf-8",
            )
            file_handler.setFormatter(formatter)
            handlers.append(file_handler)
        else:
            for name in LEVELS:
                if getattr(logging, name) < level:
                    continue
                per_level = RotatingFileHandler(
                    directory / f"{service_name}_{name.lower()}.log",
                    maxBytes=TEXT_FILE_BYTES,
                    backupCount=TEXT_FILE_BACKUPS,
                    encoding="utf-8",
                )
                per_level.addFilter(_ExactLevel(getattr(logging, name)))
                per_level.setFormatter(formatter)
                handlers.append(per_level)
    for handler in handlers:
        handler.addFilter(stamp)
        root.addHandler(handler)
    root.setLevel(level)
    return logging.getLogger(service_name)


def get_logger(name: str) -> logging.Logger:
    """A plain named logger; its records reach the handlers set up above."""
    return logging.getLogger(name)
