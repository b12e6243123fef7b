"""Pieces of the benchmark: stock pypiserver on a free loopback port, a plain
static PEP 503 tree (the floor nginx serves), and the filler packages."""

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


def populate(packages: Path, wheel: Path, sdist: Path, files: int) -> None:
    """The real ytcaption-common wheel + sdist, then small filler projects up to `files`."""
    packages.mkdir(parents=True)
    shutil.copy(wheel, packages)
    shutil.copy(sdist, packages)
    for i in range(files - 2):
        (packages / f"filler{i:05d}-1.0.0.tar.gz").write_bytes(b"filler " * 16)
