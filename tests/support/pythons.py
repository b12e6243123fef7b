"""The supported Pythons present on this machine: `python3.X` on PATH, else
pyenv's versions folder (where this project's machines keep them)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SUPPORTED = ("3.10", "3.11", "3.12", "3.13")


def _runs(python: str) -> bool:
    """A pyenv shim on PATH exists but fails when its version is not selected."""
    probe = subprocess.run([python, "-c", "pass"], capture_output=True, timeout=30, check=False)
    return probe.returncode == 0


def find_python(version: str) -> str | None:
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [shutil.which(f"python{version}"), *map(str, sorted(pyenv.glob(f"{version}.*/bin/python{version}")))]
    return next((c for c in candidates if c and _runs(c)), None)


def present_pythons() -> dict[str, str]:
    return {v: path for v in SUPPORTED if (path := find_python(v))}
