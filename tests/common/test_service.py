"""The service helpers (our addition) on upstream's API, through a FastAPI app and a real Redis."""

from __future__ import annotations

import time
from importlib.metadata import version

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from tests.support.redis_server import RedisServer
from ytcaption_common.exception_handlers import setup_exception_handlers
from ytcaption_common.log_utils.middleware import CorrelationIdMiddleware
from ytcaption_common.models import BaseJob, JobStatus
from ytcaption_common.redis_utils import ResilientRedisStore
from ytcaption_common.service import JobRepository, RedisConnection, health_router, job_routes


class ClipJob(BaseJob):
    url: str


class ClipRequest(BaseModel):
    url: str = Field(min_length=1)


def connector(url: str) -> RedisConnection:
    def connect() -> ResilientRedisStore:
        return ResilientRedisStore(
            redis_url=url, socket_connect_timeout=1, circuit_breaker_max_failures=1, circuit_breaker_timeout=1
        )

    return RedisConnection(connect, retry_seconds=0.2)


def make_app(connection: RedisConnection) -> FastAPI:
    app = FastAPI()
    app.add_middleware(CorrelationIdMiddleware)
    setup_exception_handlers(app)
    app.include_router(health_router("clipper", "9.9.9", connection))
    app.include_router(job_routes(JobRepository(lambda: connection.redis, ClipJob), ClipRequest, "/clips"))
    return app


@pytest.fixture
def client(redis_server: RedisServer):
    connection = connector(redis_server.url)
    connection.start()
    assert connection.wait_connected(timeout=10)
    with TestClient(make_app(connection)) as test_client:
        yield test_client
    connection.close()


def test_health_reports_service_version_and_redis(client: TestClient) -> None:
    body = client.get("/health").json()
    assert (body["service"], body["status"], body["version"]) == ("clipper", "healthy", "9.9.9")
    assert body["common_version"] == version("ytcaption-common")
    assert body["redis_connected"] is True and body["checks"] == {"redis": "ok"}


def test_job_endpoints_store_jobs_in_redis(client: TestClient, redis_server: RedisServer) -> None:
    created = client.post("/clips", json={"url": "https://v.invalid/1"}, headers={"X-Correlation-ID": "cid-1"})
    assert created.status_code == 201 and created.headers["X-Correlation-ID"] == "cid-1"
    job = created.json()
    assert job["status"] == "pending" and job["correlation_id"] == "cid-1"
    assert client.get(f"/clips/{job['id']}").json() == job
    cancelled = client.post(f"/clips/{job['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == JobStatus.CANCELLED.value
    again = client.post(f"/clips/{job['id']}/cancel")
    assert again.status_code == 409 and again.json()["error"] == "CONFLICT"
    missing = client.get("/clips/nope")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": "RESOURCE_NOT_FOUND",
        "message": "job not found: nope",
        "details": {"resource_type": "job", "resource_id": "nope"},
    }
    invalid = client.post("/clips", json={"url": ""})
    assert invalid.status_code == 422 and invalid.json()["error"] == "VALIDATION_ERROR"
    redis_server.stop()
    try:
        down = client.get(f"/clips/{job['id']}")
        assert down.status_code == 503 and down.json()["error"] == "SERVICE_UNAVAILABLE"
        assert client.get("/health").json()["status"] == "degraded"
    finally:
        redis_server.start()


def test_service_starts_without_redis_and_connects_when_it_appears(tmp_path) -> None:
    server = RedisServer(tmp_path)  # picked a port, not started yet
    connection = connector(server.url)
    connection.start()
    try:
        with TestClient(make_app(connection)) as client:
            body = client.get("/health").json()
            assert (body["status"], body["redis_connected"], body["checks"]) == (
                "degraded",
                False,
                {"redis": "failing"},
            )
            job = client.post("/clips", json={"url": "u"})
            assert job.status_code == 503 and job.json()["error"] == "SERVICE_UNAVAILABLE"
            server.start()
            deadline = time.monotonic() + 20
            while client.get("/health").json()["status"] != "healthy" and time.monotonic() < deadline:
                time.sleep(0.2)
            assert client.get("/health").json()["status"] == "healthy"
            assert client.post("/clips", json={"url": "u"}).status_code == 201
    finally:
        connection.close()
        server.stop()
