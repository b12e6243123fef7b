"""`ytc-release` run as a user runs it: a subprocess on this checkout's code."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 900,
) -> subprocess.CompletedProcess[str]:
    # -P: the code under test (this checkout), never a copy that happens to sit in the cwd.
    return subprocess.run(
        [sys.executable, "-P", "-m", "ytc_release.cli", *args],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
