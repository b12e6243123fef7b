"""`ytc-release provenance`: for each file of a version on the index, rebuild the commit its
record names and compare the sha256 of the bytes the index serves with the rebuild's.
One line per file; anything but `reproduced` fails the run."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ytc_release.errors import ReleaseError
from ytc_release.index import client
from ytc_release.paths import Layout
from ytc_release.pipeline.build import Artifact
from ytc_release.provenance import reproduced
from ytc_release.provenance.rebuild import rebuild
from ytc_release.provenance.served import Served, ServedFile
from ytc_release.target import IndexTarget
from ytc_release.toolkit.report import Reporter

REPRODUCED, DIFFERS, NO_RECORD, NOT_REBUILT = "reproduced", "DIFFERS", "NO RECORD", "NOT REBUILT"


@dataclass(frozen=True)
class Outcome:
    filename: str
    verdict: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.verdict == REPRODUCED

    def line(self) -> str:
        return f"{self.verdict:<11} {self.filename}  {self.detail}"


def compare(served: ServedFile, served_sha: str, rebuilt: dict[str, Artifact], record: dict[str, object]) -> Outcome:
    """The verdict on one file: the rebuild of its commit made the same bytes, or not."""
    commit = str(record.get("commit", ""))
    dirty = " (its record says: built from a tree with uncommitted changes)" if record.get("tree") == "dirty" else ""
    mine = rebuilt.get(served.filename)
    if mine is None:
        return Outcome(
            served.filename, DIFFERS, f"the rebuild of {commit[:12]} makes no such file ({', '.join(rebuilt)}){dirty}"
        )
    if mine.sha256 != served_sha:
        return Outcome(
            served.filename,
            DIFFERS,
            f"index serves sha256 {served_sha}, the rebuild of {commit[:12]} gives {mine.sha256}{dirty}",
        )
    return Outcome(served.filename, REPRODUCED, f"sha256 {served_sha} from commit {commit[:12]}{dirty}")


def prove_version(lay: Layout, target: IndexTarget, served: Served, version: str, report: Reporter) -> list[Outcome]:
    files = served.of_version(version)
    if not files:
        return [Outcome(f"{lay.project.distribution} {version}", NO_RECORD, "the index holds no file of this version")]
    outcomes: list[Outcome] = []
    builds: dict[str, dict[str, Artifact] | str] = {}  # commit -> its rebuild, or why it failed
    with tempfile.TemporaryDirectory(prefix="ytc-rebuilt-") as tmp:
        for served_file in sorted(files, key=lambda f: f.filename):
            record = served_file.record
            if record is None:
                why = (
                    "uploaded without a provenance record"
                    if served.json_page
                    else "the index keeps no provenance records (it serves no PEP 691 JSON page)"
                )
                outcomes.append(Outcome(served_file.filename, NO_RECORD, why))
                continue
            commit = str(record["commit"])
            if commit not in builds:
                report.detail(f"rebuilding {commit[:12]} in a clean temporary worktree")
                try:
                    out = Path(tmp) / commit
                    builds[commit] = {a.name: a for a in rebuild(lay, commit, out)}
                except ReleaseError as err:
                    builds[commit] = f"{err.problem} ({err.fix})"
            built = builds[commit]
            if isinstance(built, str):
                outcomes.append(Outcome(served_file.filename, NOT_REBUILT, built))
                continue
            served_sha = hashlib.sha256(client.fetch(target, served_file.url)).hexdigest()
            outcome = compare(served_file, served_sha, built, record)
            if outcome.ok:
                reproduced.remember(served_sha, served_file.filename, commit, target.simple_url)
            outcomes.append(outcome)
    return outcomes
