"""The error JSON clients parse, through a real FastAPI app."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from ytcaption_common.exception_handlers import (
    BaseServiceException,
    ProcessingException,
    ResourceNotFoundException,
    ServiceUnavailableException,
    ValidationException,
    create_exception_handler,
    setup_exception_handlers,
)
from ytcaption_common.exception_handlers.handlers import RateLimitException


class Item(BaseModel):
    name: str = Field(min_length=1)
    count: int


class Teapot(Exception):
    status_code = 418
    error_code = "TEAPOT"
    message = "short and stout"
    details = {"spout": True}


RAISES = {
    "base": lambda: BaseServiceException("plain"),
    "custom": lambda: BaseServiceException("custom", status_code=409, error_code="CONFLICT", details={"k": "v"}),
    "validation": lambda: ValidationException("bad field", details={"field": "url"}),
    "missing": lambda: ResourceNotFoundException("job", "j-1"),
    "processing": lambda: ProcessingException("ffmpeg failed"),
    "unavailable": lambda: ServiceUnavailableException("redis", reason="connection refused"),
    "unavailable-bare": lambda: ServiceUnavailableException("redis"),
    "ratelimit": lambda: RateLimitException(10, "minute"),
}


def make_app(debug: bool) -> FastAPI:
    app = FastAPI()
    setup_exception_handlers(app, debug=debug)
    app.add_exception_handler(Teapot, create_exception_handler(Teapot))

    @app.get("/raise/{kind}")
    def raise_(kind: str) -> None:
        raise RAISES[kind]()

    @app.get("/http")
    def http() -> None:
        raise HTTPException(status_code=403, detail="no entry", headers={"X-Why": "policy"})

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/teapot")
    def teapot() -> None:
        raise Teapot()

    @app.post("/items")
    def create(item: Item) -> Item:
        return item

    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(make_app(debug=False), raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        ("base", 500, {"error": "INTERNAL_ERROR", "message": "plain"}),
        ("custom", 409, {"error": "CONFLICT", "message": "custom", "details": {"k": "v"}}),
        ("validation", 400, {"error": "VALIDATION_ERROR", "message": "bad field", "details": {"field": "url"}}),
        ("processing", 500, {"error": "PROCESSING_ERROR", "message": "ffmpeg failed"}),
    ],
)
def test_service_exception_bodies(client: TestClient, kind: str, status: int, body: dict) -> None:
    response = client.get(f"/raise/{kind}")
    assert response.status_code == status and response.json() == body


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("missing", 404, "RESOURCE_NOT_FOUND"),
        ("unavailable", 503, "SERVICE_UNAVAILABLE"),
        ("unavailable-bare", 503, "SERVICE_UNAVAILABLE"),
        ("ratelimit", 429, "RATE_LIMIT_EXCEEDED"),
    ],
)
def test_fixed_codes_of_the_subclasses(client: TestClient, kind: str, status: int, code: str) -> None:
    response = client.get(f"/raise/{kind}")
    body = response.json()
    assert response.status_code == status and body["error"] == code
    assert set(body) <= {"error", "message", "details"} and body["message"]


def test_subclass_messages_and_details() -> None:
    missing = ResourceNotFoundException("job", "j-1")
    assert "job" in missing.message and "j-1" in missing.message
    assert missing.details == {"resource_type": "job", "resource_id": "j-1"}
    limit = RateLimitException(10, "minute")
    assert (limit.status_code, limit.details) == (429, {"limit": 10, "window": "minute"})
    unavailable = ServiceUnavailableException("redis", "down")
    assert "redis" in unavailable.message and "down" in unavailable.message
    assert isinstance(unavailable, BaseServiceException) and isinstance(unavailable, Exception)


def test_unknown_route_is_http_error(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {"error": "HTTP_ERROR", "message": "Not Found"}


def test_http_exception_keeps_status_and_headers(client: TestClient) -> None:
    response = client.get("/http")
    assert response.status_code == 403 and response.headers["X-Why"] == "policy"
    assert response.json() == {"error": "HTTP_ERROR", "message": "no entry"}


def test_request_validation_is_422_with_the_pydantic_errors(client: TestClient) -> None:
    response = client.post("/items", json={"name": "", "count": "many"})
    body = response.json()
    assert response.status_code == 422
    assert (body["error"], body["message"]) == ("VALIDATION_ERROR", "Request validation failed")
    assert isinstance(body["details"], list)
    locations = {tuple(error["loc"]) for error in body["details"]}
    assert locations == {("body", "name"), ("body", "count")}
    assert all({"type", "msg", "loc"} <= error.keys() for error in body["details"])


def test_unexpected_error_hides_internals_unless_debug(client: TestClient) -> None:
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"error": "INTERNAL_ERROR", "message": "An unexpected error occurred"}
    assert "secret" not in response.text
    debug = TestClient(make_app(debug=True), raise_server_exceptions=False).get("/boom")
    assert debug.status_code == 500
    assert debug.json() == {
        "error": "INTERNAL_ERROR",
        "message": "An unexpected error occurred",
        "details": {"exception_type": "RuntimeError", "exception_message": "secret internals"},
    }


def test_create_exception_handler_reads_the_exception(client: TestClient) -> None:
    response = client.get("/teapot")
    assert response.status_code == 418
    assert response.json() == {"error": "TEAPOT", "message": "short and stout", "details": {"spout": True}}


def test_create_exception_handler_defaults_for_a_plain_exception() -> None:
    import asyncio

    from starlette.requests import Request

    handler = create_exception_handler(KeyError, default_status_code=400, log_traceback=False)
    assert asyncio.iscoroutinefunction(handler)
    request = Request({"type": "http", "method": "GET", "path": "/x", "headers": [], "query_string": b""})
    response = asyncio.run(handler(request, KeyError("gone")))
    assert response.status_code == 400
    assert response.body == b'{"error":"KeyError","message":"\'gone\'"}'
