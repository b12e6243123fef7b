"""Rebuild a recorded commit: a clean detached worktree in a temporary folder (never this
checkout's files, edits or untracked files), the library folder that commit's own
[tool.ytc-release] table names, and the build function `release` uses (the locked
backend, SOURCE_DATE_EPOCH from that commit's history). The worktree is removed after."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ytc_release import project as project_table
from ytc_release.errors import ProvenanceError, ReleaseError
from ytc_release.paths import Layout
from ytc_release.pipeline.build import Artifact, build
from ytc_release.toolkit.runner import run, run_checked


def _require_commit(root: Path, commit: str) -> None:
    if run(["git", "-C", root, "rev-parse", "--is-shallow-repository"]).stdout.strip() == "true":
        raise ProvenanceError(
            f"{root} is a shallow clone: the rebuild's SOURCE_DATE_EPOCH (the last commit touching the library) "
            "needs the whole history",
            "run `git fetch --unshallow` (in CI: actions/checkout with fetch-depth: 0)",
        )
    if run(["git", "-C", root, "cat-file", "-e", f"{commit}^{{commit}}"]).returncode != 0:
        raise ProvenanceError(
            f"the recorded commit {commit} is not in {root}",
            "fetch it (`git fetch origin`, or the branch or tag that holds it), then run again",
        )


def library_at(tree: Path, fallback: str) -> str:
    """The library folder the commit's own table names (this checkout's, when it has none)."""
    try:
        table = project_table.read_table(tree)
        return project_table.parse(tree, table).library if table is not None else fallback
    except ReleaseError:
        return fallback


def rebuild(lay: Layout, commit: str, out_dir: Path) -> list[Artifact]:
    """Wheel and sdist of ``commit``, built in a throwaway worktree into ``out_dir``."""
    root = lay.root
    _require_commit(root, commit)
    with tempfile.TemporaryDirectory(prefix="ytc-provenance-") as tmp:
        tree = Path(tmp) / "tree"
        run_checked(
            ["git", "-C", root, "worktree", "add", "--quiet", "--detach", tree, commit],
            error=ProvenanceError,
            what=f"could not check out {commit} in a temporary worktree",
            fix="see git's message above; `git worktree prune` clears a stale entry",
        )
        try:
            library = library_at(tree, lay.project.library)
            return build(tree / library, out_dir, tree)
        finally:
            run(["git", "-C", root, "worktree", "remove", "--force", tree])
            run(["git", "-C", root, "worktree", "prune"])
