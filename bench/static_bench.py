"""Issue 14's read benchmark: stock pypiserver, our Python server, nginx over our
static tree (index/nginx/ytc-index.conf.template) and a plain nginx tree (the
floor), at 10 / 1,000 / 10,000 / 100,000 files; the project page in HTML and
JSON, the metadata file and the wheel download at 16 clients; the first reads
after uploads; whole-process pip and uv installs against the --find-links floor.
Prints ratios against the issue's targets (targets, not test failures) and
writes bench-results/static-bench.md. Loopback only; every load is bounded.

    python -m bench.static_bench [--sizes 10,1000,10000,100000] [--seconds 2]"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from passlib.apache import HtpasswdFile

from bench.pyload import LoadResult, run_load
from bench.servers import _process, populate, stock_pypiserver, wait_until_up, write_static_tree
from tests.support.nginx import NginxProcess, find_nginx
from ytc_release.paths import find_repo_root
from ytc_release.pipeline.build import build
from ytc_release.toolkit import web as release_http
from ytc_release.toolkit.ports import free_port
from ytc_release.toolkit.runner import clean_pip_env

JSON = {"Accept": "application/vnd.pypi.simple.v1+json"}
USER, PASSWORD = "bench", "bench-password-0123"
CLIENTS = 16


@contextmanager
def python_server(data: Path, htpasswd: Path, work: Path) -> Iterator[str]:
    """Our index alone (the embedded layout: it serves its static tree itself)."""
    port = free_port()
    cmd = [sys.executable, "-m", "ytc_index", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--packages", str(data / "packages"), "--htpasswd", str(htpasswd), "--fallback-url", "http://127.0.0.1:9/"]
    started = time.perf_counter()
    with (work / "ours.log").open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        # The first start writes every page: minutes at 100,000 single-file projects.
        wait_until_up(f"http://127.0.0.1:{port}/simple/ytcaption-common/", proc, timeout=1200)
        print(f"    python server up in {time.perf_counter() - started:.1f} s (static pages written)", flush=True)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


@contextmanager
def nginx_over(data: Path, upstream_url: str, work: Path) -> Iterator[str]:
    nginx = NginxProcess(work / "nginx", data, upstream_url.removeprefix("http://").rstrip("/"))
    nginx.start(timeout=60)
    try:
        yield nginx.url
    finally:
        nginx.stop()


@contextmanager
def plain_nginx(packages: Path, work: Path) -> Iterator[str]:
    """The floor: nginx serving a plain static PEP 503 tree of the same files."""
    tree = work / "plain"
    write_static_tree(packages, tree)
    port = free_port()
    conf = work / "plain.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {work}/plain.pid;\nerror_log {work}/plain-error.log;\n"
        "events { worker_connections 1024; }\n"
        f"http {{ access_log off; sendfile on; client_body_temp_path {work}; proxy_temp_path {work};\n"
        f"  server {{ listen 127.0.0.1:{port}; root {tree}; index index.html; }} }}\n"
    )
    with _process([find_nginx(), "-p", str(work), "-c", str(conf)], f"http://127.0.0.1:{port}/simple/", work / "p.log"):
        yield f"http://127.0.0.1:{port}/"


def upload_stalls(base: str, directory: Path, uploads: int) -> list[float]:
    """ms of the first project-page read after each of `uploads` uploads (new versions of one project)."""
    from tests.support.index import multipart

    stalls = []
    for i in range(uploads):
        wheel = tiny_wheel(directory, "ytcaption-bench", f"{i + 1}.0.0")
        body, headers = multipart(wheel.name, wheel.read_bytes())
        resp = release_http.request("POST", base, data=body, headers=headers, auth=(USER, PASSWORD))
        if resp.status != 200:
            raise RuntimeError(f"upload of {wheel.name} answered {resp.status}: {resp.text}")
        # http.client, not release.http: its opener costs ~30 ms per call on its own.
        parts = urlsplit(base)
        start = time.perf_counter()
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        conn.request("GET", "/simple/ytcaption-bench/")
        page = conn.getresponse()
        text = page.read().decode()
        stalls.append((time.perf_counter() - start) * 1000)
        conn.close()
        if page.status != 200 or wheel.name not in text:
            raise RuntimeError(f"the page after uploading {wheel.name} does not list it")
    return stalls


def tiny_wheel(directory: Path, name: str, version: str) -> Path:
    """A tiny valid wheel of (name, version): the index checks METADATA against the filename."""
    dist = f"{name.replace('-', '_')}-{version}"
    path = directory / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{dist}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        zf.writestr(
            f"{dist}.dist-info/WHEEL",
            "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        zf.writestr(f"{dist}.dist-info/RECORD", "")
    return path


def install_seconds(installer: str, index_args: list[str], repeats: int, work: Path, version: str) -> float:
    times = []
    uv = Path(sys.executable).parent / "uv"
    for n in range(repeats):
        target = work / f"{installer}-target-{n}"
        if installer == "pip":
            cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-cache-dir", "--quiet"]
        else:
            cmd = [str(uv), "pip", "install", "--no-deps", "--no-cache", "--quiet", "--python", sys.executable]
        cmd += ["--target", str(target), *index_args, f"ytcaption-common=={version}"]
        env = clean_pip_env()
        env["UV_NO_CONFIG"] = "1"
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=300)
        times.append(time.perf_counter() - start)
        shutil.rmtree(target)
    return statistics.median(times)


def measure_reads(
    server: str,
    base: str,
    requests: dict[str, tuple[str, dict[str, str] | None]],
    only: tuple[str, ...],
    size: int,
    seconds: float,
) -> dict[tuple[str, str], LoadResult | None]:
    measured: dict[tuple[str, str], LoadResult | None] = {}
    for label, (path, headers) in requests.items():
        if label not in only:
            measured[(server, label)] = None
            continue
        r = run_load(base + path, CLIENTS, seconds, headers)
        measured[(server, label)] = r
        print(f"  [{size}] {server:12s} {label:10s} {cell(r)}", flush=True)
    return measured


def cell(r: LoadResult | None) -> str:
    if r is None:
        return "-"
    if not r.requests:
        return f"no answer in {r.seconds}s"
    return (
        f"{r.p50_ms:.2f} / {r.p99_ms:.2f} ({r.requests_per_s:.0f}/s{', ' + str(r.errors) + ' err' if r.errors else ''})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,1000,10000,100000")
    parser.add_argument("--seconds", type=float, default=2.0, help="duration of each load measurement")
    parser.add_argument("--repeats", type=int, default=3, help="installs per installer and server")
    parser.add_argument("--uploads", type=int, default=3)
    parser.add_argument("--skip-stock-above", type=int, default=10_000, help="stock pypiserver only up to this size")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    root = find_repo_root()
    out = args.out or root / "bench-results" / "static-bench.md"
    sizes = [int(s) for s in args.sizes.split(",")]
    find_nginx()

    work = Path(tempfile.mkdtemp(prefix="ytc-static-bench-"))
    os.chmod(work, 0o755)
    rows: list[str] = []
    targets: list[str] = []
    installs: list[str] = []
    try:
        artifacts = build(root / "common", work / "dist", root)
        wheel = next(a.path for a in artifacts if a.name.endswith(".whl"))
        sdist = next(a.path for a in artifacts if a.name.endswith(".tar.gz"))
        version = wheel.name.split("-")[1]
        htpasswd = work / "htpasswd"
        users = HtpasswdFile(str(htpasswd), new=True, default_scheme="bcrypt")
        users.set_password(USER, PASSWORD)
        users.save()
        (work / "htpasswd.roles").write_text(f"{USER}:publisher\n")
        floor = work / "floor"
        floor.mkdir()
        shutil.copy(wheel, floor)
        requests = {
            "page html": ("simple/ytcaption-common/", None),
            "page json": ("simple/ytcaption-common/", JSON),
            "metadata": (f"packages/{wheel.name}.metadata", None),
            "wheel": (f"packages/{wheel.name}", None),
        }
        for size in sizes:
            data = work / f"data-{size}"
            populate(data / "packages", wheel, sdist, size)
            server_work = work / f"run-{size}"
            server_work.mkdir()
            measured: dict[tuple[str, str], LoadResult | None] = {}

            if size <= args.skip_stock_above:
                with stock_pypiserver(data / "packages", htpasswd, server_work) as base:
                    measured.update(measure_reads("stock", base, requests, ("page html", "wheel"), size, args.seconds))
            with plain_nginx(data / "packages", server_work) as base:
                measured.update(
                    measure_reads("plain nginx", base, requests, ("page html", "wheel"), size, args.seconds)
                )
            with python_server(data, htpasswd, server_work) as base:
                measured.update(measure_reads("python", base, requests, tuple(requests), size, args.seconds))
                with nginx_over(data, base, server_work) as front:
                    measured.update(measure_reads("nginx+ours", front, requests, tuple(requests), size, args.seconds))
                    for installer in ("pip", "uv"):
                        t_floor = install_seconds(
                            installer, ["--no-index", "--find-links", str(floor)], args.repeats, server_work, version
                        )
                        t_py = install_seconds(
                            installer, ["--index-url", base + "simple/"], args.repeats, server_work, version
                        )
                        t_ng = install_seconds(
                            installer, ["--index-url", front + "simple/"], args.repeats, server_work, version
                        )
                        installs.append(
                            f"| {size} | {installer} | {t_floor:.2f} | {t_py:.2f} ({t_py / t_floor:.2f}x) | "
                            f"{t_ng:.2f} ({t_ng / t_floor:.2f}x) |"
                        )
                        print(f"  [{size}] {installs[-1]}", flush=True)
                stalls = upload_stalls(base, server_work, args.uploads)
            for label in requests:
                rows.append(
                    f"| {size} | {label} | {cell(measured.get(('stock', label)))} | "
                    f"{cell(measured[('python', label)])} | {cell(measured[('nginx+ours', label)])} | "
                    f"{cell(measured[('plain nginx', label)])} |"
                )
            floor_page = measured[("plain nginx", "page html")]
            front_page = measured[("nginx+ours", "page html")]
            py_page = measured[("python", "page html")]
            ratio = front_page.p50_ms / floor_page.p50_ms if front_page and floor_page else float("nan")
            targets.append(
                f"| {size} | {ratio:.2f}x (≤ 1.2x) | {py_page.p50_ms if py_page else float('nan'):.2f} ms (≤ 5 ms) | "
                f"{max(stalls):.1f} ms (≤ 50 ms) |"
            )
            shutil.rmtree(data)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report = "\n".join(
        [
            f"# Static index benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, loopback)",
            "",
            f"p50 / p99 ms (requests/s) at {CLIENTS} keep-alive clients, {args.seconds:g} s per cell, Python load "
            "client (bench/pyload.py) sharing the cores. stock = `pypi-server run` defaults; python = "
            "`python -m ytc_index` serving its static tree; nginx+ours = index/nginx/ytc-index.conf.template in "
            "front of it; plain nginx = a static PEP 503 tree of the same files (the floor). `-`: not offered.",
            "",
            "| files | request | stock | python | nginx+ours | plain nginx |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            "Targets (issue 14): nginx+ours p50 / plain nginx p50 (project page); python p50 at 16 clients; "
            f"slowest first read of a project page right after each of {args.uploads} uploads (python server):",
            "",
            "| files | nginx+ours / floor | python p50 | read after upload |",
            "|---|---|---|---|",
            *targets,
            "",
            f"Whole-process install of ytcaption-common (--no-deps), median of {args.repeats} (s; target ≤ 1.1x):",
            "",
            "| files | installer | --find-links floor | python server | nginx+ours |",
            "|---|---|---|---|---|",
            *installs,
            "",
        ]
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print("\n" + report)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
