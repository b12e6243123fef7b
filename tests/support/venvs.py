"""Fresh virtual environments that ignore the machine's own pip configuration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ytc_release.toolkit.runner import clean_pip_env


def make_venv(path: Path) -> Path:
    """Create a venv at ``path`` and return its python."""
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    return path / "bin" / "python"


def pip(
    python: Path, *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pip", *args],
        env=env if env is not None else clean_pip_env(),
        capture_output=True,
        text=True,
        check=check,
    )


def run_python(python: Path, code: str) -> str:
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def pip_version(python: Path) -> tuple[int, ...]:
    """(major, minor) of the pip in that venv (a venv carries its Python's bundled pip)."""
    out = run_python(python, "import pip; print(pip.__version__)")
    return tuple(int(part) for part in out.split(".")[:2])
