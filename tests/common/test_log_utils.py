"""setup_structured_logging: stdout console, the log files operators tail, JSON keys."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
from pathlib import Path

import pytest

from ytcaption_common.log_utils import (
    JSONFormatter,
    get_correlation_id,
    get_logger,
    set_correlation_id,
    setup_structured_logging,
)
from ytcaption_common.log_utils.structured import ConsoleFormatter


def json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_json_mode_writes_service_json_file_and_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log_dir = tmp_path / "nested" / "logs"
    setup_structured_logging(service_name="video-downloader", log_level="info", log_dir=str(log_dir), json_format=True)
    logger = get_logger("app.main")
    assert isinstance(logger, logging.Logger) and logger.name == "app.main"
    logger.debug("hidden below INFO")
    logger.info("download started", extra={"job_id": "j-1", "duration_ms": 12.5, "user_id": "u-7"})
    for handler in logging.getLogger().handlers:
        handler.flush()
    out = capsys.readouterr()
    assert out.err == ""  # the console handler writes to stdout
    (console,) = [json.loads(line) for line in out.out.splitlines()]
    (line,) = json_lines(log_dir / "video-downloader.json")
    assert line == console
    assert {"timestamp", "level", "logger", "message"} <= line.keys()
    assert (line["level"], line["logger"], line["message"]) == ("INFO", "app.main", "download started")
    assert (line["job_id"], line["duration_ms"], line["user_id"]) == ("j-1", 12.5, "u-7")
    assert line["service"] == "video-downloader"  # stamped on every record
    assert "T" in line["timestamp"] and line["timestamp"].endswith("+00:00")
    assert sorted(p.name for p in log_dir.iterdir()) == ["video-downloader.json"]


def test_json_file_rotates_at_100_mb_keeping_10(tmp_path: Path) -> None:
    from logging.handlers import RotatingFileHandler

    setup_structured_logging("svc", log_dir=str(tmp_path))
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler)]
    assert (handler.maxBytes, handler.backupCount) == (100 * 1024 * 1024, 10)
    console = [h for h in logging.getLogger().handlers if not isinstance(h, RotatingFileHandler)]
    assert [h.stream for h in console] == [sys.stdout]  # type: ignore[attr-defined]


def test_text_mode_writes_one_file_per_level(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from logging.handlers import RotatingFileHandler

    setup_structured_logging("search", log_level="DEBUG", log_dir=str(tmp_path), json_format=False)
    log = get_logger("t")
    log.debug("d-msg")
    log.info("i-msg")
    log.warning("w-msg")
    log.error("e-msg")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(f"search_{lvl}.log" for lvl in ("debug", "info", "warning", "error", "critical"))
    assert "i-msg" in (tmp_path / "search_info.log").read_text()
    assert "e-msg" in (tmp_path / "search_error.log").read_text()
    assert "i-msg" not in (tmp_path / "search_error.log").read_text()
    files = [h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler)]
    assert {(h.maxBytes, h.backupCount) for h in files} == {(50 * 1024 * 1024, 5)}
    assert "INFO" in capsys.readouterr().out and "i-msg" in (tmp_path / "search_info.log").read_text()


def test_handlers_are_replaced_not_added(tmp_path: Path) -> None:
    stray = logging.StreamHandler()
    logging.getLogger().addHandler(stray)
    setup_structured_logging("a", log_dir=str(tmp_path))
    setup_structured_logging("a", log_dir=str(tmp_path))
    handlers = logging.getLogger().handlers
    assert stray not in handlers and len(handlers) == 2


def test_console_and_file_can_be_switched_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    setup_structured_logging("quiet", log_dir=str(tmp_path / "logs"), enable_console=False, enable_file=False)
    get_logger("x").warning("nowhere")
    assert logging.getLogger().handlers == [] and capsys.readouterr().out == ""
    assert not (tmp_path / "logs").exists()


def test_unknown_level_and_unwritable_dir_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="use one of DEBUG"):
        setup_structured_logging("x", log_level="LOUD", log_dir=str(tmp_path))
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError, match="LOG_DIR"):
        setup_structured_logging("x", log_dir=str(blocker / "logs"))


def test_json_formatter_correlation_id_and_exception() -> None:
    formatter = JSONFormatter()
    try:
        raise ValueError("bad input")
    except ValueError:
        record = logging.getLogger("t").makeRecord("t", logging.ERROR, __file__, 1, "failed %s", ("x",), sys.exc_info())
    set_correlation_id("cid-42")
    try:
        entry = json.loads(formatter.format(record))
    finally:
        set_correlation_id(None)  # type: ignore[arg-type]
    assert entry["message"] == "failed x" and entry["correlation_id"] == "cid-42"
    assert entry["exception"]["type"] == "ValueError" and entry["exception"]["message"] == "bad input"
    assert "Traceback" in entry["exception"]["traceback"]
    plain = json.loads(formatter.format(logging.makeLogRecord({"msg": "m", "levelname": "INFO"})))
    assert "correlation_id" not in plain and "exception" not in plain and "job_id" not in plain


def test_console_formatter_is_human_text() -> None:
    line = ConsoleFormatter().format(logging.makeLogRecord({"msg": "hello", "levelname": "INFO", "name": "n"}))
    assert line.endswith("n: hello") and "INFO" in line


def test_correlation_id_is_per_thread_and_per_task() -> None:
    set_correlation_id("main")
    seen: dict[str, str | None] = {}

    def worker() -> None:
        seen["thread-before"] = get_correlation_id()
        set_correlation_id("thread")
        seen["thread-after"] = get_correlation_id()

    t = threading.Thread(target=worker)
    t.start()
    t.join()

    async def task(name: str) -> str | None:
        set_correlation_id(name)
        await asyncio.sleep(0.01)
        return get_correlation_id()

    async def both() -> list[str | None]:
        return list(await asyncio.gather(task("a"), task("b")))

    assert asyncio.run(both()) == ["a", "b"]
    assert seen == {"thread-before": None, "thread-after": "thread"}
    assert get_correlation_id() == "main"
    set_correlation_id(None)  # type: ignore[arg-type]
