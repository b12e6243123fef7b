"""Step 1, preflight: everything a release needs is there before anything
changes — the version and its CHANGELOG entry, the services' pins and what
re-locking them takes, the index and its credentials (the tests of common are
the next step, pipeline/tests.py).
`publish` has its own preflight: the files already built in dist/."""

from __future__ import annotations

from dataclasses import dataclass

from ytc_release import changelog
from ytc_release.index import client
from ytc_release.index.client import IndexedFile
from ytc_release.pipeline.build import Artifact, find_artifacts
from ytc_release.pipeline.steps import Context, Results
from ytc_release.services import locking
from ytc_release.services.pins import Pin, service_pins
from ytc_release.target import IndexTarget, resolve_index
from ytc_release.version import read_version


@dataclass(frozen=True)
class Preflight:
    version: str
    target: IndexTarget | None  # None only in a dry run with no index running
    published: tuple[IndexedFile, ...]  # the index's files of this version
    pins: tuple[Pin, ...] = ()
    artifacts: tuple[Artifact, ...] = ()  # publish: the built files found in dist/

    @property
    def index(self) -> IndexTarget:
        assert self.target is not None, "only a dry run goes without an index"
        return self.target

    def describe_index(self) -> str:
        return self.target.describe() if self.target else "embedded default (not running)"


def _index_files(ctx: Context, target: IndexTarget | None, version: str) -> tuple[IndexedFile, ...]:
    if target is None:
        return ()
    client.check_reachable_and_credentials(target)
    ctx.report.detail(f"index {target.describe()} reachable, credentials accepted")
    return tuple(client.files_of_version(target, ctx.lay.project.distribution, version))


def from_source(ctx: Context, done: Results) -> Preflight:
    """`release`: the source tree is what gets built."""
    lay, report = ctx.lay, ctx.report
    version = read_version(lay.version_file)
    report.detail(f"version {version} (from {lay.version_file.relative_to(lay.root)})")
    if lay.changelog is not None:
        changelog.require_entry(lay.changelog, version)
        report.detail(f"CHANGELOG has an entry for {version}")
    pins, unpinned = service_pins(lay)
    report.detail(f"{len(pins)} pinned services: " + (", ".join(p.service for p in pins) or "none yet"))
    if unpinned:
        report.detail(
            f"not pinned yet, left alone: {', '.join(unpinned)} (`ytc-release migrate` moves them onto the index)"
        )
    # What the pin step will need to lock, known before anything is published.
    locking.uv_binary()
    for pin in pins:
        if not pin.held:
            locking.lock_python(pin.requirements.parent, ctx.lock_python)
    target = resolve_index(
        lay.index_home, ctx.config, start=not ctx.dry_run, report=report, owned_names=lay.project.owned_names
    )
    published = _index_files(ctx, target, version)
    if target is not None:
        report.detail(f"index holds {len(published)} file(s) of {version}")
    return Preflight(version, target, published, tuple(pins))


def from_dist(ctx: Context, done: Results) -> Preflight:
    """`publish`: the files already in dist/ (CI's publish job never rebuilds)."""
    lay, report = ctx.lay, ctx.report
    version = ctx.version or read_version(lay.version_file)
    artifacts = tuple(find_artifacts(lay.dist, lay.project.wheel_stem, version))
    for a in artifacts:
        report.detail(f"{a.sha256}  dist/{a.name}")
    target = resolve_index(lay.index_home, ctx.config, start=True, report=report, owned_names=lay.project.owned_names)
    return Preflight(version, target, _index_files(ctx, target, version), artifacts=artifacts)
