"""Correlation ids for HTTP services: taken from `X-Correlation-ID` (or
generated), set for the request's logs, echoed on the response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response

from ytcaption_common.log_utils.context import new_correlation_id, reset_correlation_id, set_correlation_id

HEADER = "X-Correlation-ID"


class CorrelationIdMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        correlation_id = request.headers.get(HEADER) or new_correlation_id()
        token = set_correlation_id(correlation_id)
        try:
            response = await call_next(request)
        finally:
            reset_correlation_id(token)
        response.headers[HEADER] = correlation_id
        return response
