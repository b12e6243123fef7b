"""A real headless Chromium for the browser tests: Debian's `chromium`, installed like
`make images` installs podman (apt, as root, only when missing), driven by Playwright
for Python, which is never asked to download a browser of its own. axe-core comes from
npm into .tools/ (`make test-browser`).

`python -m tests.support.browser` installs what is missing (the Makefile runs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
APT_PACKAGES = ["chromium"]
AXE = ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
# Headless, and nothing that reaches off the machine on its own (updates, sync, QUIC probes).
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


class BrowserMissing(RuntimeError):
    pass


def ensure_chromium() -> str:
    """The browser's path, installed from Debian first when missing (needs root)."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.geteuid() != 0:
        raise BrowserMissing(f"{CHROMIUM} is missing and installing it needs root: `sudo apt-get install chromium`")
    print(f"installing from Debian: {' '.join(APT_PACKAGES)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES],
    ):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BrowserMissing(
                f"this machine cannot install chromium (`{' '.join(cmd[:2])}` failed): {done.stderr.strip()[-400:]}"
            )
    return CHROMIUM


def axe_script() -> Path:
    if not AXE.is_file():
        raise BrowserMissing(f"{AXE} is missing: run `make test-browser`, which installs axe-core into .tools/")
    return AXE


def is_local(url: str) -> bool:
    """A request that stays on this machine: loopback HTTP, a file, or the browser's own data/about URLs."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "about", "file", "blob"):
        return True
    return parts.scheme in ("http", "https") and (parts.hostname or "") in LOCAL_HOSTS


if __name__ == "__main__":
    path = ensure_chromium()
    print(f"chromium: {path} ({shutil.which('chromium') or 'not on PATH'})")
