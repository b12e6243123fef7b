import io
import json
import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ytcaption_common.exception_handlers import (
    ConflictError,
    NotFoundError,
    ProcessingError,
    ServiceUnavailableError,
    ValidationError,
    setup_exception_handlers,
)
from ytcaption_common.log_utils import set_correlation_id, setup_structured_logging


def make_app() -> FastAPI:
    app = FastAPI()
    setup_exception_handlers(app)

    @app.middleware("http")
    async def correlation(request, call_next):
        set_correlation_id(request.headers.get("x-correlation-id"))
        return await call_next(request)

    errors = {
        "validation": ValidationError("bad url", details={"field": "url"}),
        "missing": NotFoundError("job j1 not found"),
        "conflict": ConflictError("job already running"),
        "processing": ProcessingError("ffmpeg failed"),
        "unavailable": ServiceUnavailableError("redis down"),
    }

    @app.get("/raise/{kind}")
    async def raise_kind(kind: str):
        raise errors[kind]

    @app.get("/boom")
    async def boom():
        raise RuntimeError("secret-db-password=hunter2")

    @app.get("/typed/{n}")
    async def typed(n: int):
        return {"n": n}

    return app


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("validation", 400, "validation_error"),
        ("missing", 404, "not_found"),
        ("conflict", 409, "conflict"),
        ("processing", 500, "processing_error"),
        ("unavailable", 503, "service_unavailable"),
    ],
)
def test_service_errors_share_one_shape(kind: str, status: int, code: str) -> None:
    client = TestClient(make_app())
    resp = client.get(f"/raise/{kind}", headers={"X-Correlation-ID": "cid-7"})
    assert resp.status_code == status
    body = resp.json()
    assert set(body) == {"error", "message", "details", "correlation_id"}
    assert body["error"] == code and body["correlation_id"] == "cid-7"


def test_details_are_passed_through() -> None:
    body = TestClient(make_app()).get("/raise/validation").json()
    assert body["details"] == {"field": "url"} and body["message"] == "bad url"


def test_unexpected_exception_is_a_500_without_internals_and_is_logged() -> None:
    stream = io.StringIO()
    setup_structured_logging("test", stream=stream)
    try:
        client = TestClient(make_app(), raise_server_exceptions=False)
        resp = client.get("/boom")
    finally:
        logging.getLogger().handlers.clear()
    assert resp.status_code == 500
    assert resp.json()["error"] == "internal_error"
    assert "hunter2" not in resp.text and "RuntimeError" not in resp.text
    logged = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert any(e.get("exception", {}).get("type") == "RuntimeError" for e in logged)


def test_unknown_route_and_bad_parameter_use_the_same_shape() -> None:
    client = TestClient(make_app())
    missing = client.get("/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    bad = client.get("/typed/abc")
    assert bad.status_code == 422 and bad.json()["error"] == "validation_error"
    assert bad.json()["details"]["errors"][0]["loc"] == ["path", "n"]
