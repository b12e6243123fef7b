"""The current request's correlation id, carried in a contextvar so that it
follows asyncio tasks and threads started with ``contextvars.copy_context``."""

from __future__ import annotations

import uuid
from contextvars import ContextVar, Token

_correlation_id: ContextVar[str | None] = ContextVar("ytc_correlation_id", default=None)


def set_correlation_id(correlation_id: str | None) -> Token[str | None]:
    """Set the id for the current task/thread; the token undoes it (``reset_correlation_id``)."""
    return _correlation_id.set(correlation_id)


def get_correlation_id() -> str | None:
    return _correlation_id.get()


def reset_correlation_id(token: Token[str | None]) -> None:
    _correlation_id.reset(token)


def new_correlation_id() -> str:
    return str(uuid.uuid4())
