"""The pure parts of the service locks: base-image Pythons, headers, parsing, hash comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

from ytc_release.services import locking

LOCK = """# Locked by `ytc-release lock` from requirements.txt; never edit by hand: `ytc-release lock` refreshes it.
# ytc-lock: python=3.11 requirements-sha256={digest}
ytcaption-common==2.0.0 \\
    --hash=sha256:{a} \\
    --hash=sha256:{b}
    # via -r requirements.txt
Pydantic_Core==2.50.5 ; python_version >= "3.10" \\
    --hash=sha256:{c}
uvicorn[standard]==0.54.0 \\
    --hash=sha256:{d}
"""
A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)
REQS = "ytcaption-common==2.0.0\nfastapi==0.165.0\n"


def lock_text(requirements: str = REQS) -> str:
    return LOCK.format(digest=locking.requirements_digest(requirements), a=A, b=B, c=C, d=D)


@pytest.mark.parametrize(
    ("base", "python"),
    [
        ("python:3.11-slim", "3.11"),
        ("docker.io/library/python:3.13-slim-bookworm", "3.13"),
        ("ubuntu:22.04", "3.10"),
        ("debian:bookworm-slim", "3.11"),
        ("python:3.12 AS build\nFROM ubuntu:24.04", "3.12"),  # the last stage is the image
    ],
)
def test_lock_python_reads_the_base_image(tmp_path: Path, base: str, python: str) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {base}\nRUN true\n")
    assert locking.lock_python(tmp_path) == python


@pytest.mark.parametrize("base", ["python:latest", "alpine:3.20", "nvidia/cuda:12.1.0-runtime-rockylinux9"])
def test_lock_python_refuses_a_base_image_it_cannot_read(tmp_path: Path, base: str) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {base}\n")
    with pytest.raises(locking.LockError, match="cannot tell which Python"):
        locking.lock_python(tmp_path)
    assert locking.lock_python(tmp_path, "3.12") == "3.12"  # YTC_LOCK_PYTHON, from the settings


def test_header_round_trips() -> None:
    header = locking.read_header(locking.render_header("3.10", REQS))
    assert header == locking.LockHeader("3.10", locking.requirements_digest(REQS))
    assert locking.read_header("ytcaption-common==1.0.0\n") is None


def test_parse_lock_joins_continuations_and_normalises_names() -> None:
    entries = locking.parse_lock(lock_text())
    assert entries["ytcaption-common"] == locking.Locked("ytcaption-common", "2.0.0", frozenset({A, B}))
    assert entries["pydantic-core"].hashes == frozenset({C})
    assert entries["uvicorn"].version == "0.54.0"
    assert set(entries) == {"ytcaption-common", "pydantic-core", "uvicorn"}


@pytest.mark.parametrize(
    ("requirements", "lock", "reason"),
    [
        (REQS, lock_text(), None),
        (REQS + "redis==5.0.1\n", lock_text(), "requirements.txt changed since requirements.lock was compiled"),
        (REQS, None, "no requirements.lock"),
        (REQS, "six==1.16.0 --hash=sha256:" + A, "has no `# ytc-lock:` line"),
    ],
)
def test_stale_reason(requirements: str, lock: str | None, reason: str | None) -> None:
    found = locking.stale_reason(requirements, lock)
    assert found == reason if reason is None else reason in (found or "")


def test_hash_problems() -> None:
    locked = locking.parse_lock(lock_text())["ytcaption-common"]
    both = {"ytcaption_common-2.0.0-py3-none-any.whl": A, "ytcaption_common-2.0.0.tar.gz": B}
    assert locking.hash_problems(locked, both) == []
    assert locking.hash_problems(None, both) == []
    swapped = {**both, "ytcaption_common-2.0.0-py3-none-any.whl": C}
    problems = locking.hash_problems(locked, swapped)
    assert "serves ytcaption_common-2.0.0-py3-none-any.whl (sha256 " + C in problems[0]
    assert "1 hash(es)" in problems[1]
    extra = {**both, "ytcaption_common-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl": D}
    assert locking.hash_problems(locked, extra) == [
        f"the index serves ytcaption_common-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl (sha256 {D}) "
        "for ytcaption-common==2.0.0, which the lock does not allow"
    ]
