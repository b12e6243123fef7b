"""create_service_app + job_routes against a real Redis: the wiring every service shares."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from tests.support.redis_server import RedisServer
from ytcaption_common.config_utils import BaseServiceSettings
from ytcaption_common.models import BaseJob
from ytcaption_common.service import JobRepository, create_service_app, job_routes


class ClipJob(BaseJob):
    url: str


class ClipRequest(BaseModel):
    url: str = Field(min_length=1)


@pytest.fixture
def client(redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("YTC_REDIS_URL", redis_server.url)
    service = create_service_app(BaseServiceSettings(service_name="clipper"), "9.9.9")
    service.app.include_router(job_routes(JobRepository(service.store, ClipJob), ClipRequest, "/clips"))
    with TestClient(service.app) as test_client:
        yield test_client


def test_health_reports_service_versions_and_redis(client: TestClient, redis_server: RedisServer) -> None:
    body = client.get("/health").json()
    assert body["service"] == "clipper" and body["version"] == "9.9.9" and body["status"] == "healthy"
    assert body["common_version"] == version("ytcaption-common")  # installed metadata, not source
    redis_server.stop()
    degraded = client.get("/health")
    assert degraded.status_code == 200 and degraded.json()["status"] == "degraded"


def test_job_routes_create_read_cancel(client: TestClient) -> None:
    created = client.post("/clips", json={"url": "u"}, headers={"X-Correlation-ID": "cid-1"})
    assert created.status_code == 201 and created.headers["X-Correlation-ID"] == "cid-1"
    job = created.json()
    assert job["status"] == "pending" and job["url"] == "u" and job["correlation_id"] == "cid-1"
    assert client.get(f"/clips/{job['id']}").json() == job
    cancelled = client.post(f"/clips/{job['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = client.post(f"/clips/{job['id']}/cancel")
    assert again.status_code == 409 and again.json()["error"] == "conflict"


def test_job_routes_errors_share_the_common_shape(client: TestClient, redis_server: RedisServer) -> None:
    missing = client.get("/clips/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert missing.headers["X-Correlation-ID"] == missing.json()["correlation_id"]
    invalid = client.post("/clips", json={"url": ""})
    assert invalid.status_code == 422 and invalid.json()["error"] == "validation_error"
    redis_server.stop()
    down = client.post("/clips", json={"url": "u"})
    assert down.status_code == 503 and down.json()["error"] == "service_unavailable"
