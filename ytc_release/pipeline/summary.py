"""What a run did (or, dry, would do), from the steps' results."""

from __future__ import annotations

from ytc_release.pipeline.steps import Context, Results
from ytc_release.services.pins import HOLD_MARKER


def describe_dry_run(ctx: Context, done: Results) -> None:
    report, ready = ctx.report, done.ready
    version = ready.version
    report.say("dry run: nothing was built, uploaded or rewritten. A release would:")
    if ready.published:
        report.detail(
            f"compare the build with the {len(ready.published)} file(s) of {version} on the index "
            "(identical: no-op; different: stop, the version is taken)"
        )
    else:
        report.detail(f"build, check and upload ytcaption-common {version} to {ready.describe_index()}")
    report.detail("verify the install from the index in a fresh venv")
    for pin in ready.pins:
        if pin.held:
            report.detail(f"leave {pin.service} on {pin.version} (held)")
        elif pin.version != version:
            report.detail(f"pin {pin.service}: {pin.version} -> {version} and re-lock it")
        else:
            report.detail(f"leave {pin.service} on {pin.version} (already there)")


def summary(ctx: Context, done: Results) -> None:
    report, ready = ctx.report, done.ready
    report.say("")
    report.say(f"ytcaption-common {ready.version} — {'dry run' if ctx.dry_run else 'released'}")
    report.detail(f"index:    {ready.describe_index()}")
    for a in done.artifacts:
        report.detail(f"sha256:   {a.sha256}  {a.name}")
    if done.source is not None:
        report.detail(f"commit:   {done.source.commit} ({done.source.tree} {ctx.lay.project.library}/)")
    if done.publish is not None and done.publish.already_published:
        report.detail("publish:  already on the index with identical files — nothing uploaded (no-op)")
    elif done.publish is not None and done.publish.uploaded:
        report.detail(f"uploaded: {', '.join(done.publish.uploaded)}")
    if done.pin is not None:
        for service, old, new in done.pin.moved:
            report.detail(f"pinned:   {service} {old} -> {new}")
        for service, version in done.pin.held:
            report.detail(f"held:     {service} stays on {version} (`# {HOLD_MARKER}` on its pin)")
    report.detail(f"time:     {report.elapsed():.1f}s")


def next_steps_after_publish(ctx: Context, done: Results) -> None:
    """CI's publish job never pushes to main: the pins move in a pull request."""
    report, version = ctx.report, done.ready.version
    report.say("")
    report.say("next: move the services' pins in a pull request (CI never pushes to main):")
    report.detail(f"git switch -c pin-ytcaption-common-{version}")
    report.detail("ytc-release release #  the version is on the index: a no-op publish, then verify and pin")
    report.detail(f'git commit -am "Pin ytcaption-common {version}" && git push -u origin HEAD   # open the PR')
