"""Reading a Dockerfile's own pip step, so tests run exactly what the image runs."""

from __future__ import annotations

import shlex
from pathlib import Path


def run_instructions(dockerfile: Path) -> list[str]:
    """RUN instructions with continuation lines joined."""
    joined: list[str] = []
    current = ""
    for raw in dockerfile.read_text().splitlines():
        line = raw.rstrip()
        if not current and line.lstrip().startswith("#"):
            continue
        current += line[:-1] + " " if line.endswith("\\") else line
        if not line.endswith("\\"):
            joined.append(current.strip())
            current = ""
    return [line[4:].strip() for line in joined if line.upper().startswith("RUN ")]


def pip_install_command(dockerfile: Path) -> list[str]:
    """The argv of the Dockerfile's `pip install` step, without RUN's --mount options."""
    for instruction in run_instructions(dockerfile):
        words = shlex.split(instruction)
        while words and words[0].startswith("--mount="):
            words.pop(0)
        if words[:2] == ["pip", "install"]:
            return words
    raise AssertionError(f"{dockerfile} has no `RUN ... pip install` step")


def secret_mount(dockerfile: Path) -> str:
    for instruction in run_instructions(dockerfile):
        for word in shlex.split(instruction):
            if word.startswith("--mount=type=secret"):
                return word
    raise AssertionError(f"{dockerfile} mounts no secret")
