"""The one pipeline: the loop, the plans, and the publish step's comparison."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ytc_release.errors import ReleaseError, VersionTakenError
from ytc_release.index.client import IndexedFile
from ytc_release.paths import Layout
from ytc_release.pipeline import plans
from ytc_release.pipeline.build import Artifact
from ytc_release.pipeline.publish import compare_with_index
from ytc_release.pipeline.steps import Context, Results, Step, StepFailed, run_steps
from ytc_release.toolkit.report import Reporter

WHEEL = Artifact(Path("dist/ytcaption_common-1.0.0-py3-none-any.whl"), "aa")
SDIST = Artifact(Path("dist/ytcaption_common-1.0.0.tar.gz"), "bb")


def listed(artifact: Artifact, sha: str | None = None) -> IndexedFile:
    return IndexedFile(artifact.name, f"https://idx/packages/{artifact.name}", sha or artifact.sha256)


@pytest.mark.parametrize(
    ("published", "missing"),
    [
        ([], [WHEEL, SDIST]),
        ([listed(WHEEL)], [SDIST]),
        ([listed(SDIST)], [WHEEL]),
        ([listed(WHEEL), listed(SDIST)], []),
    ],
)
def test_only_what_the_index_lacks_is_uploaded(published: list[IndexedFile], missing: list[Artifact]) -> None:
    assert compare_with_index(published, [WHEEL, SDIST], "1.0.0") == missing


def test_a_different_file_of_the_same_version_means_the_version_is_taken() -> None:
    with pytest.raises(VersionTakenError, match=r"differs from this build \(index sha256 zz, local aa\)"):
        compare_with_index([listed(WHEEL, sha="zz")], [WHEEL, SDIST], "1.0.0")


def test_a_file_this_build_does_not_make_means_the_version_is_taken() -> None:
    other = IndexedFile("ytcaption_common-1.0.0-cp311-cp311-linux_x86_64.whl", "u", "cc")
    with pytest.raises(VersionTakenError, match="a file this build does not make"):
        compare_with_index([other], [WHEEL, SDIST], "1.0.0")


def test_a_listing_without_a_hash_is_not_trusted() -> None:
    with pytest.raises(VersionTakenError):
        compare_with_index([IndexedFile(WHEEL.name, "u", None)], [WHEEL, SDIST], "1.0.0")


def context() -> tuple[Context, io.StringIO]:
    out = io.StringIO()
    return Context(Layout(Path("/nonexistent")), Reporter(out)), out


def test_steps_run_in_order_and_see_only_earlier_results() -> None:
    seen: list[tuple[str, tuple]] = []

    def build(ctx: Context, done: Results) -> tuple[Artifact, ...]:
        seen.append(("build", done.build))
        return (WHEEL,)

    def check(ctx: Context, done: Results) -> None:
        seen.append(("check", done.build))

    ctx, out = context()
    done = run_steps([Step("build", "build", build), Step("", "check", check)], ctx)
    assert seen == [("build", ()), ("check", (WHEEL,))]
    assert done.build == (WHEEL,)
    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == [
        "==> build ...",
        "<== build",
        "==> check ...",
        "<== check",
    ]


def test_a_failing_step_is_one_error_type_carrying_what_and_what_to_do() -> None:
    def publish(ctx: Context, done: Results) -> None:
        raise VersionTakenError("1.0.0 is taken")

    ran_after: list[str] = []
    ctx, out = context()
    with pytest.raises(StepFailed) as err:
        run_steps([Step("", "publish", publish), Step("", "pin", lambda c, d: ran_after.append("pin"))], ctx)
    assert (err.value.step, err.value.problem, err.value.fix) == ("publish", "1.0.0 is taken", VersionTakenError.fix)
    assert isinstance(err.value, ReleaseError) and isinstance(err.value.cause, VersionTakenError)
    assert err.value.render() == VersionTakenError("1.0.0 is taken").render()  # what users read is unchanged
    assert ran_after == []
    assert "<== publish: FAILED" in out.getvalue()


def test_results_are_not_shared_state() -> None:
    first = Results()
    with pytest.raises(AttributeError):
        first.build = (WHEEL,)  # type: ignore[misc]


def test_release_and_publish_are_configurations_of_the_same_steps() -> None:
    titles = lambda plan: [s.title for s in plan]  # noqa: E731
    assert titles(plans.RELEASE) == [
        "preflight", "source", "tests", "build", "check", "publish", "verify", "provenance", "pin",
    ]  # fmt: skip
    assert titles(plans.PUBLISH_BUILT) == ["preflight", "source", "check", "publish", "verify", "provenance"]
    assert titles(plans.DRY_RUN) == ["preflight", "source", "tests"]
    shared = {plans.SOURCE, plans.CHECK, plans.PUBLISH, plans.VERIFY, plans.RECORD}
    assert shared <= set(plans.RELEASE) and shared <= set(plans.PUBLISH_BUILT)
