"""Running the tools we drive (build, twine, pip, pytest) as subprocesses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from ytc_release.errors import ReleaseError
from ytc_release.toolkit.masking import mask_secrets


def run(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
    stdin: IO[bytes] | int | None = None,
    merge_stderr: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``, capturing stdout and stderr (together unless ``merge_stderr`` is
    False, for a caller that parses stdout); never raises on exit status."""
    return subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_checked(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    what: str,
    error: type[ReleaseError] = ReleaseError,
    fix: str | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
    stdin: IO[bytes] | int | None = None,
    merge_stderr: bool = True,
) -> subprocess.CompletedProcess[str]:
    """``run``, raising ``error("<what>:" + the masked tail of the output, fix)`` on a non-zero exit."""
    result = run(cmd, cwd=cwd, env=env, timeout=timeout, stdin=stdin, merge_stderr=merge_stderr)
    if result.returncode != 0:
        raise error(f"{what}:\n{tail(result.stdout + (result.stderr or ''))}", fix)
    return result


def venv_tool(name: str) -> str | None:
    """A command installed beside this Python (the workspace venv), else on PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else shutil.which(name)


def tool_output(args: Sequence[str | os.PathLike[str]], cwd: Path) -> tuple[int, str]:
    """(exit status, stdout+stderr stripped) of a linter."""
    result = run(args, cwd=cwd)
    return result.returncode, result.stdout.strip()


def tail(output: str, lines: int = 25) -> str:
    """The last lines of a tool's output, with anything secret masked."""
    kept = output.strip().splitlines()[-lines:]
    return mask_secrets("\n".join("    " + line for line in kept))


def clean_pip_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment in which only the index we name counts: the machine's pip
    config files and find-links / extra-index settings are neutralised."""
    env = dict(os.environ if base is None else base)
    for key in list(env):
        if key.startswith("PIP_") and key not in {"PIP_CERT", "PIP_DEFAULT_TIMEOUT"}:
            del env[key]
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("PYTHONPATH", None)
    return env
