"""`make bench`'s release half: `ytc-release release --skip-tests` of a new
version into an empty index, and the identical re-run, against a bare
`python -m build --no-isolation` + `twine upload` of the same library into an
empty index. Each index is started before the clock runs, for all three.
Targets (issue 14), printed as ratios, never failures: identical re-release
<= 3 s; a new release <= 2x the bare build + upload. The verify step's
dependency venv is warmed once first (it is a cache keyed by what the library
requires: a release changes the library, not its dependencies).

    python -m bench.release_bench [--repeats 3]"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ytc_release.index.embedded import EmbeddedIndex
from ytc_release.paths import find_repo_root
from ytc_release.toolkit.ports import free_port

YTC = Path(sys.executable).parent / "ytc-release"


def _env(clone: Path, home: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINE_", "PIP_"))}
    return env | {"YTC_REPO_ROOT": str(clone), "YTC_INDEX_HOME": str(home), "YTC_INDEX_PORT": str(port)}


def _timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return seconds


def _fresh_index(work: Path, name: str) -> tuple[EmbeddedIndex, int]:
    index, port = EmbeddedIndex(work / name), free_port()
    index.up(port)
    return index, port


def release_seconds(clone: Path, work: Path, name: str) -> tuple[float, float]:
    """(new release into an empty index, identical re-release), each a whole `ytc-release` process."""
    index, port = _fresh_index(work, name)
    try:
        env = _env(clone, index.home, port)
        cmd = [str(YTC), "release", "--skip-tests"]
        return _timed(cmd, env, clone), _timed(cmd, env, clone)
    finally:
        index.down()


def bare_seconds(clone: Path, work: Path, name: str) -> float:
    """python -m build --no-isolation (wheel + sdist) then twine upload, into an empty index."""
    index, port = _fresh_index(work, name)
    try:
        url, user, password = index.credentials()
        env = _env(clone, index.home, port) | {
            "TWINE_REPOSITORY_URL": url,
            "TWINE_USERNAME": user,
            "TWINE_PASSWORD": password,  # env, never argv
            "TWINE_NON_INTERACTIVE": "1",
        }
        out = work / f"{name}-dist"
        start = time.perf_counter()
        _timed([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), "common"], env, clone)
        _timed([sys.executable, "-m", "twine", "upload", *map(str, sorted(out.iterdir()))], env, clone)
        return time.perf_counter() - start
    finally:
        index.down()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    root = find_repo_root()
    with tempfile.TemporaryDirectory(prefix="ytc-release-bench-") as tmp:
        work = Path(tmp)
        clone = work / "repo"
        subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
        release_seconds(clone, work, "warm")  # fills the verify cache once, untimed
        new, identical, bare = [], [], []
        for n in range(args.repeats):
            first, again = release_seconds(clone, work, f"release-{n}")
            new.append(first)
            identical.append(again)
            bare.append(bare_seconds(clone, work, f"bare-{n}"))
    med = statistics.median
    rows = [
        ("bare build + twine upload", med(bare), "floor"),
        ("make release, new (--skip-tests)", med(new), f"{med(new) / med(bare):.2f}x floor (target <= 2x)"),
        ("make release, identical", med(identical), f"{med(identical):.2f} s (target <= 3 s)"),
    ]
    lines = [
        f"## release times (median of {args.repeats}, whole processes)",
        "",
        "| run | seconds | against the target |",
        "| --- | ---: | --- |",
        *(f"| {name} | {seconds:.2f} | {note} |" for name, seconds, note in rows),
    ]
    print("\n".join(lines))
    out = root / "bench-results" / "release-bench.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
