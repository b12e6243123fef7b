"""Contract: every import path, name and signature upstream common 1.0.0 offers
(the API page in common/README.md) exists with the same parameters and defaults."""

from __future__ import annotations

import importlib
import inspect

import pytest

import ytcaption_common

E = inspect.Parameter.empty

# module -> names importable from it
SURFACE = {
    "config_utils": ["BaseServiceSettings", "RedisSettings", "CelerySettings", "LoggingSettings"],
    "config_utils.base_settings": ["BaseServiceSettings", "RedisSettings", "CelerySettings", "LoggingSettings"],
    "exception_handlers": [
        "BaseServiceException",
        "ValidationException",
        "ResourceNotFoundException",
        "ProcessingException",
        "ServiceUnavailableException",
        "create_exception_handler",
        "setup_exception_handlers",
    ],
    "exception_handlers.handlers": [
        "BaseServiceException",
        "ValidationException",
        "ResourceNotFoundException",
        "ProcessingException",
        "ServiceUnavailableException",
        "RateLimitException",
        "create_exception_handler",
        "setup_exception_handlers",
    ],
    "log_utils": [
        "setup_structured_logging",
        "get_logger",
        "JSONFormatter",
        "set_correlation_id",
        "get_correlation_id",
    ],
    "log_utils.structured": [
        "setup_structured_logging",
        "get_logger",
        "JSONFormatter",
        "ConsoleFormatter",
        "set_correlation_id",
        "get_correlation_id",
    ],
    "models": ["BaseJob", "JobStatus", "HealthStatus"],
    "models.base": ["BaseJob", "JobStatus", "HealthStatus", "BaseHealthResponse"],
    "redis_utils": ["ResilientRedisStore", "RedisCircuitBreaker"],
    "redis_utils.resilient_store": ["ResilientRedisStore", "RedisCircuitBreaker", "CircuitBreakerOpenError"],
}

PACKAGE_REEXPORTS = [(pkg, name) for pkg, names in SURFACE.items() if "." not in pkg for name in names]


@pytest.mark.parametrize(("module", "name"), [(m, n) for m, names in SURFACE.items() for n in names])
def test_name_is_importable(module: str, name: str) -> None:
    mod = importlib.import_module(f"ytcaption_common.{module}")
    assert hasattr(mod, name), f"ytcaption_common.{module} lacks {name}"


@pytest.mark.parametrize(("package", "name"), PACKAGE_REEXPORTS)
def test_package_reexport_is_the_submodule_object(package: str, name: str) -> None:
    submodule = next(m for m in SURFACE if m.startswith(f"{package}."))
    pkg = importlib.import_module(f"ytcaption_common.{package}")
    sub = importlib.import_module(f"ytcaption_common.{submodule}")
    assert getattr(pkg, name) is getattr(sub, name)
    assert name in pkg.__all__


def params(obj: object) -> list[tuple[str, object]]:
    target = obj.__init__ if inspect.isclass(obj) else obj  # type: ignore[misc]
    return [(p.name, p.default) for p in inspect.signature(target).parameters.values() if p.name != "self"]


def imp(path: str) -> object:
    module, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(f"ytcaption_common.{module}"), name)


SIGNATURES = {
    "log_utils.structured.setup_structured_logging": [
        ("service_name", E),
        ("log_level", "INFO"),
        ("log_dir", "./logs"),
        ("enable_console", True),
        ("enable_file", True),
        ("json_format", True),
    ],
    "log_utils.structured.get_logger": [("name", E)],
    "log_utils.structured.set_correlation_id": [("correlation_id", E)],
    "log_utils.structured.get_correlation_id": [],
    "exception_handlers.handlers.BaseServiceException": [
        ("message", E),
        ("status_code", 500),
        ("error_code", "INTERNAL_ERROR"),
        ("details", None),
    ],
    "exception_handlers.handlers.ValidationException": [("message", E), ("details", None)],
    "exception_handlers.handlers.ResourceNotFoundException": [("resource_type", E), ("resource_id", E)],
    "exception_handlers.handlers.ProcessingException": [("message", E), ("details", None)],
    "exception_handlers.handlers.ServiceUnavailableException": [("service_name", E), ("reason", None)],
    "exception_handlers.handlers.RateLimitException": [("limit", E), ("window", E)],
    "exception_handlers.handlers.setup_exception_handlers": [("app", E), ("debug", False)],
    "exception_handlers.handlers.create_exception_handler": [
        ("exception_class", E),
        ("default_status_code", 500),
        ("log_traceback", True),
    ],
    "redis_utils.resilient_store.ResilientRedisStore": [
        ("redis_url", E),
        ("max_connections", 50),
        ("socket_keepalive", True),
        ("socket_connect_timeout", 5),
        ("socket_timeout", 10),
        ("retry_on_timeout", True),
        ("health_check_interval", 30),
        ("circuit_breaker_enabled", True),
        ("circuit_breaker_max_failures", 5),
        ("circuit_breaker_timeout", 60),
    ],
    "redis_utils.resilient_store.RedisCircuitBreaker": [
        ("max_failures", 5),
        ("timeout_seconds", 60),
        ("half_open_max_requests", 3),
    ],
    "redis_utils.resilient_store.ResilientRedisStore.set": [
        ("key", E),
        ("value", E),
        ("ex", None),
        ("px", None),
        ("nx", False),
        ("xx", False),
    ],
    "redis_utils.resilient_store.ResilientRedisStore.setex": [("key", E), ("time", E), ("value", E)],
    "redis_utils.resilient_store.ResilientRedisStore.get": [("key", E)],
    "redis_utils.resilient_store.ResilientRedisStore.keys": [("pattern", "*")],
    "redis_utils.resilient_store.ResilientRedisStore.ping": [],
    "redis_utils.resilient_store.ResilientRedisStore.close": [],
    "models.base.BaseJob.mark_as_processing": [("message", None)],
    "models.base.BaseJob.mark_as_completed": [("message", None)],
    "models.base.BaseJob.mark_as_failed": [("error", E), ("error_type", None)],
    "models.base.BaseJob.mark_as_cancelled": [("reason", None)],
    "models.base.BaseJob.update_progress": [("progress", E), ("message", None)],
    "models.base.BaseJob.mark_as_queued": [],
    "models.base.BaseJob.increment_retry": [],
}


@pytest.mark.parametrize("path", sorted(SIGNATURES))
def test_signature_and_defaults(path: str) -> None:
    obj = imp(path.rsplit(".", 1)[0]) if path.count(".") > 2 and path.split(".")[-2][0].isupper() else None
    target = getattr(obj, path.rsplit(".", 1)[1]) if obj is not None else imp(path)
    assert params(target) == SIGNATURES[path]


def test_json_formatter_needs_no_arguments() -> None:
    from ytcaption_common.log_utils.structured import JSONFormatter

    assert all(default is not E for _, default in params(JSONFormatter))
    JSONFormatter()


def test_breaker_and_store_methods_exist() -> None:
    from ytcaption_common.redis_utils.resilient_store import RedisCircuitBreaker, ResilientRedisStore

    for method in ("is_open", "record_success", "record_failure", "call"):
        assert callable(getattr(RedisCircuitBreaker, method))
    assert [n for n, _ in params(ResilientRedisStore.delete)] == ["keys"]
    assert [n for n, _ in params(ResilientRedisStore.exists)] == ["keys"]


def test_version_is_the_single_source() -> None:
    import re
    from pathlib import Path

    assert re.fullmatch(r"\d+\.\d+\.\d+", ytcaption_common.__version__)
    # hatchling reads the version from that same line: no second copy to drift.
    common = Path(__file__).resolve().parents[2] / "common"
    assert 'path = "src/ytcaption_common/__init__.py"' in (common / "pyproject.toml").read_text()


def test_importing_the_package_does_not_pull_in_the_web_stack() -> None:
    import subprocess
    import sys

    code = "import sys, ytcaption_common; print(ytcaption_common.__version__, 'fastapi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [ytcaption_common.__version__, "False"]
