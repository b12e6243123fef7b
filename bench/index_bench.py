"""`make bench`: stock pypiserver vs ours vs nginx (static PEP 503 tree) at 10 /
1,000 / 10,000 files, and whole-process pip install times vs the
`--no-index --find-links` floor. Prints one table and writes it to
bench-results/index-bench.md. Loopback only; every load is time-bounded."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from passlib.apache import HtpasswdFile

from bench.load import LoadResult, run_wrk
from bench.servers import nginx_static, our_index, stock_pypiserver
from ytc_release.paths import find_repo_root
from ytc_release.pipeline.build import build
from ytc_release.toolkit.runner import clean_pip_env

ServerFactory = Callable[[Path, Path, Path], AbstractContextManager[str]]
SERVERS: dict[str, ServerFactory] = {
    "stock": stock_pypiserver,
    "ours": our_index,
    "nginx": lambda packages, _htpasswd, work: nginx_static(packages, work),
}


def ensure_tools() -> None:
    missing = [
        pkg
        for tool, pkg in (("wrk", "wrk"), ("nginx", "nginx-light"))
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists()
    ]
    if missing:
        print(f"installing from Debian: {' '.join(missing)}", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True)


def populate(packages: Path, wheel: Path, sdist: Path, files: int) -> None:
    """The real ytcaption-common wheel + sdist, then small filler projects up to `files`."""
    packages.mkdir(parents=True)
    shutil.copy(wheel, packages)
    shutil.copy(sdist, packages)
    for i in range(files - 2):
        (packages / f"filler{i:05d}-1.0.0.tar.gz").write_bytes(b"filler " * 16)


def pip_install_seconds(index_args: list[str], repeats: int, work: Path) -> float:
    times = []
    for n in range(repeats):
        target = work / f"target-{n}"
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-cache-dir",
            "--quiet",
            "--target",
            str(target),
            *index_args,
            "ytcaption-common==1.0.0",
        ]
        start = time.perf_counter()
        subprocess.run(cmd, env=clean_pip_env(), check=True, capture_output=True)
        times.append(time.perf_counter() - start)
        shutil.rmtree(target)
    return statistics.median(times)


def fmt(r: LoadResult) -> str:
    if r.requests == 0:  # not one answer within the cell's duration
        return f"{'0':>8} {'>' + str(r.seconds) + 's':>8} {'-':>8} {r.errors:4d}"
    return f"{r.requests_per_s:8.0f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} {r.errors:4d}"


def ratio(a: LoadResult, b: LoadResult) -> str:
    if not a.requests or not b.requests:
        return "-"
    return f"{a.p50_ms / b.p50_ms:.2f}x"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--seconds", type=int, default=2, help="duration of each load measurement (whole seconds)")
    parser.add_argument("--pip-repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    root = find_repo_root()
    out = args.out or root / "bench-results" / "index-bench.md"
    ensure_tools()
    sizes = [int(s) for s in args.sizes.split(",")]

    work = Path(tempfile.mkdtemp(prefix="ytc-bench-"))
    os.chmod(work, 0o755)
    try:
        artifacts = build(root / "common", work / "dist", root)
        wheel = next(a.path for a in artifacts if a.name.endswith(".whl"))
        sdist = next(a.path for a in artifacts if a.name.endswith(".tar.gz"))
        htpasswd = work / "htpasswd"
        users = HtpasswdFile(str(htpasswd), new=True, default_scheme="bcrypt")
        users.set_password("bench", "bench-password-0123")
        users.save()
        floor_dir = work / "floor"
        floor_dir.mkdir()
        shutil.copy(wheel, floor_dir)

        lines = [
            "| files | request | clients | stock req/s p50 p99 err | ours req/s p50 p99 err | "
            "nginx req/s p50 p99 err | p50 ours/stock | p50 ours/nginx |",
            "|---|---|---|---|---|---|---|---|",
        ]
        pip_lines = [
            "| files | pip from stock (s) | pip from ours (s) | --find-links floor (s) | ours/floor |",
            "|---|---|---|---|---|",
        ]
        requests = {
            "/simple/ytcaption-common/": "simple/ytcaption-common/",
            "/simple/": "simple/",
            "wheel download": f"packages/{wheel.name}",
        }
        for size in sizes:
            packages = work / f"packages-{size}"
            populate(packages, wheel, sdist, size)
            results: dict[tuple[str, str, int], LoadResult] = {}
            pip_times: dict[str, float] = {}
            for name, factory in SERVERS.items():
                server_work = work / f"{name}-{size}"
                server_work.mkdir()
                print(f"[{size} files] {name}: starting", flush=True)
                with factory(packages, htpasswd, server_work) as base:
                    for label, path in requests.items():
                        for clients in (1, 16):
                            results[(name, label, clients)] = run_wrk(base + path, clients, args.seconds)
                            r = results[(name, label, clients)]
                            print(
                                f"    {label:28s} c={clients:2d}: {r.requests_per_s:8.0f} req/s "
                                f"p50 {r.p50_ms:.2f} ms p99 {r.p99_ms:.2f} ms errors {r.errors}",
                                flush=True,
                            )
                    if name != "nginx":
                        pip_times[name] = pip_install_seconds(
                            ["--index-url", base + "simple/"], args.pip_repeats, server_work
                        )
            pip_times["floor"] = pip_install_seconds(
                ["--no-index", "--find-links", str(floor_dir)], args.pip_repeats, work
            )
            for label in requests:
                for clients in (1, 16):
                    s, o, n = (results[(x, label, clients)] for x in ("stock", "ours", "nginx"))
                    lines.append(
                        f"| {size} | {label} | {clients} | {fmt(s)} | {fmt(o)} | {fmt(n)} | "
                        f"{ratio(o, s)} | {ratio(o, n)} |"
                    )
            pip_lines.append(
                f"| {size} | {pip_times['stock']:.2f} | {pip_times['ours']:.2f} | "
                f"{pip_times['floor']:.2f} | {pip_times['ours'] / pip_times['floor']:.2f}x |"
            )
            shutil.rmtree(packages)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report = "\n".join(
        [
            f"# Index benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, loopback, "
            f"wrk {args.seconds:g}s per cell)",
            "",
            "Latencies in ms. stock = `pypi-server run` with its defaults; ours = `python -m ytc_index`; "
            "nginx = a static PEP 503 tree of the same files.",
            "",
            *lines,
            "",
            f"Whole-process `pip install --no-deps ytcaption-common==1.0.0`, median of {args.pip_repeats}:",
            "",
            *pip_lines,
            "",
        ]
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report)
    print("\n" + report)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
