import io
import json
import logging

import pytest

from ytcaption_common.log_utils import (
    get_correlation_id,
    reset_correlation_id,
    set_correlation_id,
    setup_structured_logging,
)


@pytest.fixture(autouse=True)
def _restore_root_logger():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_service_level_timestamp_extra_and_correlation_id() -> None:
    stream = io.StringIO()
    log = setup_structured_logging("orchestrator", "INFO", stream=stream)
    token = set_correlation_id("cid-42")
    try:
        log.info("job %s queued", "j1", extra={"job_id": "j1", "attempt": 2})
    finally:
        reset_correlation_id(token)
    log.debug("hidden at INFO")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["message"] == "job j1 queued"
    assert entry["level"] == "INFO" and entry["service"] == "orchestrator" and entry["logger"] == "orchestrator"
    assert entry["correlation_id"] == "cid-42"
    assert entry["job_id"] == "j1" and entry["attempt"] == 2
    assert entry["timestamp"].endswith("+00:00")
    assert get_correlation_id() is None


def test_exceptions_are_logged_with_type_message_and_traceback() -> None:
    stream = io.StringIO()
    log = setup_structured_logging("svc", stream=stream)
    try:
        raise KeyError("missing")
    except KeyError:
        log.exception("lookup failed")
    entry = json.loads(stream.getvalue())
    assert entry["exception"]["type"] == "KeyError"
    assert "missing" in entry["exception"]["message"]
    assert "Traceback" in entry["exception"]["traceback"]
    assert "correlation_id" not in entry


def test_second_setup_call_does_not_duplicate_handlers() -> None:
    first, second = io.StringIO(), io.StringIO()
    setup_structured_logging("svc", stream=first)
    before = len(logging.getLogger().handlers)
    log = setup_structured_logging("svc", "WARNING", stream=second)
    assert len(logging.getLogger().handlers) == before
    log.warning("once")
    assert first.getvalue() == ""
    assert len(second.getvalue().splitlines()) == 1


def test_console_format_is_readable() -> None:
    stream = io.StringIO()
    log = setup_structured_logging("svc", "DEBUG", json=False, stream=stream)
    token = set_correlation_id("abc")
    log.debug("hello", extra={"k": "v"})
    reset_correlation_id(token)
    line = stream.getvalue().strip()
    assert "DEBUG" in line and "svc" in line and "[abc]" in line and "hello" in line and "k=v" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_unknown_level_is_rejected_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"Unknown log level 'LOUD'; use one of .*DEBUG"):
        setup_structured_logging("svc", "LOUD")
