"""A throwaway clone of this repository with its own embedded index, for
running `ytc-release` end to end without touching the real checkout."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.net import free_port
from ytc_release.index.embedded import EmbeddedIndex


@dataclass
class Workspace:
    root: Path
    index_home: Path
    port: int
    outputs: list[str] = field(default_factory=list)

    @property
    def index(self) -> EmbeddedIndex:
        return EmbeddedIndex(self.index_home)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TWINE_") and k != "PIP_INDEX_URL"}
        env.update(
            YTC_REPO_ROOT=str(self.root),
            YTC_INDEX_HOME=str(self.index_home),
            YTC_INDEX_PORT=str(self.port),
            HOME=str(self.root.parent / "home"),
        )
        env.update(extra)
        return env

    def ytc(
        self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, **extra_env: str
    ) -> subprocess.CompletedProcess[str]:
        """`ytc-release ARGS` in the clone (or ``cwd``), with its env (or exactly ``env``)."""
        result = run_cli(*args, cwd=cwd or self.root, env=env if env is not None else self.env(**extra_env))
        self.outputs.append(result.stdout + result.stderr)
        return result

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-C", str(self.root), *args], capture_output=True, text=True, check=True).stdout

    def commit_all(self, message: str) -> None:
        self.git("add", "-A")
        self.git("-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "-qm", message)

    def requirements(self) -> dict[str, str]:
        files = sorted([self.root / "orchestrator/requirements.txt", *self.root.glob("services/*/requirements.txt")])
        return {p.parent.relative_to(self.root).as_posix(): p.read_text() for p in files}


def make_workspace(repo_root: Path, base: Path) -> Workspace:
    root = base / "repo"
    # --no-tags: a developer who released in this checkout has tagged it; the workspace's own
    # releases make their own tags.
    subprocess.run(["git", "clone", "-q", "--no-tags", str(repo_root), str(root)], check=True)
    (base / "home").mkdir()
    return Workspace(root, base / "index", free_port())
