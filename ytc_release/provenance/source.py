"""The source a release is built from: the commit, and whether the library's folder holds
changes that commit does not (then the files cannot be rebuilt from it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ytc_index.provenance import render_comment
from ytc_release.errors import ProvenanceError
from ytc_release.pipeline.build import TOOLCHAIN_FILE
from ytc_release.toolkit.runner import run

# At most this many changed paths are named in a record (the count says the rest).
_NAMED = 20


@dataclass(frozen=True)
class SourceState:
    commit: str
    changed: tuple[str, ...]  # paths below the library that differ from the commit (untracked too)

    @property
    def dirty(self) -> bool:
        return bool(self.changed)

    @property
    def tree(self) -> str:
        return "dirty" if self.dirty else "clean"


def _git(root: Path, *args: str) -> str:
    result = run(["git", "-C", root, *args], merge_stderr=False)
    if result.returncode != 0:
        raise ProvenanceError(
            f"`git {' '.join(args)}` failed in {root}: {result.stderr.strip() or result.stdout.strip()}",
            "release from a git checkout with at least one commit",
        )
    return result.stdout


def source_state(root: Path, library: str) -> SourceState:
    """HEAD, and the library's paths `git status` reports (ignored files do not count)."""
    commit = _git(root, "rev-parse", "--verify", "HEAD^{commit}").strip()
    status = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", library)
    changed = tuple(sorted(entry[3:] for entry in status.split("\0") if len(entry) > 3))
    return SourceState(commit, changed)


def read_toolchain(dist: Path) -> list[str]:
    """The lines of dist/BUILD-TOOLCHAIN.txt (empty when the build wrote none)."""
    try:
        return [line for line in (dist / TOOLCHAIN_FILE).read_text(encoding="utf-8").splitlines() if line.strip()]
    except FileNotFoundError:
        return []


def upload_comment(source: SourceState, toolchain: list[str]) -> str:
    """The `comment` every upload of this release carries (ytc_index/provenance.py reads it)."""
    changed = list(source.changed[:_NAMED])
    if len(source.changed) > _NAMED:
        changed.append(f"... and {len(source.changed) - _NAMED} more")
    return render_comment(source.commit, source.tree, toolchain, changed)
