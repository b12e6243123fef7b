"""A redis-server for `smoke`: taken from PATH (a placeholder for the shared
"find or provide a redis-server" of the release tooling)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from release.errors import ReleaseError
from release.net import LOOPBACK, free_port


class RedisServerError(ReleaseError):
    fix = "install it (`apt-get install -y redis-server`) or put a redis-server on PATH, then run the command again"


def find_redis_server() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RedisServerError("redis-server is not on PATH; smoke starts a real Redis for the service")
    return binary


class RedisProcess:
    """redis-server on a free loopback port, persisting nothing, stopped by stop()."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self, timeout: float = 15.0) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        argv = [find_redis_server(), "--port", str(self.port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(
            [*argv, "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RedisServerError(f"redis-server exited with code {self.proc.returncode} on port {self.port}")
            try:
                with socket.create_connection((LOOPBACK, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RedisServerError(f"redis-server did not listen on {LOOPBACK}:{self.port} within {timeout:.0f}s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
