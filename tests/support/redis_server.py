"""A real redis-server on a loopback port that tests can stop and start again."""

from __future__ import annotations

import subprocess
from pathlib import Path

from release.redis_server import find_redis_server
from tests.support.net import free_port, wait_for_port


class RedisServer:
    def __init__(self, workdir: Path) -> None:
        # On PATH, else the pinned one `make venv` installed (installed now if missing).
        self.binary = find_redis_server()
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None
