"""One pipeline: an ordered list of steps run by one loop. `release` and
`publish` are two such lists (pipeline/plans.py). Each step reads the run's
settings and the results of the steps before it, and returns its own result;
nothing is shared or mutated. A failing step raises StepFailed: what failed,
and what to do, whatever the cause was."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ytc_release.errors import ReleaseError, StepFailed
from ytc_release.paths import Layout
from ytc_release.target import IndexConfig
from ytc_release.toolkit.report import Reporter

if TYPE_CHECKING:  # the results' types; the step modules import this one
    from ytc_release.pipeline.build import Artifact
    from ytc_release.pipeline.pin import Pinned
    from ytc_release.pipeline.preflight import Preflight
    from ytc_release.pipeline.publish import Published
    from ytc_release.provenance.source import SourceState


@dataclass(frozen=True)
class Context:
    """What a run was asked to do; the same for every step."""

    lay: Layout
    report: Reporter
    config: IndexConfig = field(default_factory=IndexConfig)  # which index (the run's Settings.config)
    version: str | None = None  # publish --version: which built files (default: the source version)
    dry_run: bool = False
    skip_tests: bool = False
    source_date_epoch: str | None = None  # SOURCE_DATE_EPOCH (default: the last commit of common/)
    lock_python: str | None = None  # YTC_LOCK_PYTHON: a lock's Python when the base image does not say
    allow_dirty: bool = False  # --allow-dirty: release a library folder with uncommitted changes (recorded so)


@dataclass(frozen=True)
class Results:
    """What the steps so far returned, one field per step."""

    preflight: Preflight | None = None
    source: SourceState | None = None  # the commit built, and whether the library's tree was clean
    build: tuple[Artifact, ...] = ()
    publish: Published | None = None
    pin: Pinned | None = None

    @property
    def ready(self) -> Preflight:
        assert self.preflight is not None, "every plan starts with a preflight"
        return self.preflight

    @property
    def artifacts(self) -> tuple[Artifact, ...]:
        """The files this run publishes: just built, or found in dist/ by the preflight."""
        return self.build or self.ready.artifacts


@dataclass(frozen=True)
class Step:
    name: str  # the field of Results it fills ("" for a step that only checks)
    title: str  # announced as `==> title ...`
    run: Callable[[Context, Results], object]


def run_steps(steps: Sequence[Step], ctx: Context) -> Results:
    results = Results()
    for step in steps:
        with ctx.report.step(step.title):
            try:
                value = step.run(ctx, results)
            except StepFailed:
                raise
            except ReleaseError as err:
                raise StepFailed(step.title, err) from err
        if step.name:
            results = dataclasses.replace(results, **{step.name: value})
    return results
