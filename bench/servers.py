"""The three index servers the benchmark compares, each on a free loopback port:
stock pypiserver, ours (ytc_index) and nginx serving a static PEP 503 tree."""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pypiserver.pkg_helpers import guess_pkgname_and_version, normalize_pkgname

from ytc_release.toolkit import web
from ytc_release.toolkit.ports import free_port
from ytc_release.toolkit.waiting import wait_until


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    def alive() -> None:
        if proc.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {proc.returncode}")

    if wait_until(lambda: web.get(url, timeout=30).status < 400, timeout=timeout, alive=alive):
        return
    raise TimeoutError(f"{url} did not answer in {timeout}s")


@contextmanager
def _process(cmd: list[str], url: str, log: Path) -> Iterator[str]:
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(url, proc)
        yield url.split("/simple/")[0] + "/"
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=20)


@contextmanager
def stock_pypiserver(packages: Path, htpasswd: Path, work: Path) -> Iterator[str]:
    """pypiserver's own defaults: backend auto (cached-dir when watchdog is
    installed), server auto (wsgiref when no other server is installed)."""
    port = free_port()
    cmd = [
        str(Path(sys.executable).parent / "pypi-server"),
        "run",
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
        "-a",
        "update",
        "-P",
        str(htpasswd),
        "--hash-algo",
        "sha256",
        str(packages),
    ]
    with _process(cmd, f"http://127.0.0.1:{port}/simple/ytcaption-common/", work / "stock.log") as url:
        yield url


@contextmanager
def our_index(packages: Path, htpasswd: Path, work: Path) -> Iterator[str]:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "ytc_index",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--packages",
        str(packages),
        "--htpasswd",
        str(htpasswd),
    ]
    with _process(cmd, f"http://127.0.0.1:{port}/simple/ytcaption-common/", work / "ours.log") as url:
        yield url


def write_static_tree(packages: Path, tree: Path) -> None:
    """A PEP 503 tree with sha256 links, as a static mirror would publish it."""
    projects: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(packages.iterdir()):
        guessed = guess_pkgname_and_version(path.name)
        if guessed is None or path.name.startswith("."):
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        projects.setdefault(normalize_pkgname(guessed[0]), []).append((path.name, digest))
    simple = tree / "simple"
    simple.mkdir(parents=True)
    links = "".join(f'<a href="{p}/">{p}</a><br>\n' for p in sorted(projects))
    (simple / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")
    for project, files in projects.items():
        (simple / project).mkdir()
        rows = "".join(
            f'<a href="../../packages/{html.escape(n)}#sha256={d}">{html.escape(n)}</a><br>\n' for n, d in files
        )
        (simple / project / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{rows}</body></html>\n")
    (tree / "packages").symlink_to(packages)


@contextmanager
def nginx_static(packages: Path, work: Path) -> Iterator[str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    tree = work / "static"
    write_static_tree(packages, tree)
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(f"""
worker_processes 2;
daemon off;
user root;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    keepalive_timeout 30;
    client_body_temp_path {work}/nginx-tmp;
    proxy_temp_path {work}/nginx-tmp;
    fastcgi_temp_path {work}/nginx-tmp;
    uwsgi_temp_path {work}/nginx-tmp;
    scgi_temp_path {work}/nginx-tmp;
    server {{
        listen 127.0.0.1:{port};
        root {tree};
        index index.html;
        disable_symlinks off;
    }}
}}
""")
    cmd = [nginx, "-p", str(work), "-c", str(conf)]
    with _process(cmd, f"http://127.0.0.1:{port}/simple/ytcaption-common/", work / "nginx.log") as url:
        yield url
