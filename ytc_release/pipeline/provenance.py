"""The release's provenance steps. `source` (before anything is built): the commit and
whether the library's folder is clean; a dirty tree is refused unless --allow-dirty, and
then the record says so. `provenance` (after verify): the index shows the record of each
uploaded file (a stock index keeps none: said, and the run goes on), and the commit that was
built gets its release tag, never moved."""

from __future__ import annotations

from ytc_index.provenance import parse_comment
from ytc_release.checks.guards import release_tag
from ytc_release.errors import ProvenanceError
from ytc_release.pipeline.steps import Context, Results
from ytc_release.provenance.served import served_files
from ytc_release.provenance.source import SourceState, read_toolchain, source_state, upload_comment
from ytc_release.toolkit.runner import run


def source_step(ctx: Context, done: Results) -> SourceState:
    lay, report = ctx.lay, ctx.report
    source = source_state(lay.root, lay.project.library)
    report.detail(f"commit {source.commit}")
    if not source.dirty:
        report.detail(f"{lay.project.library}/ has no uncommitted changes: the release can be rebuilt from this commit")
        return source
    named = ", ".join(source.changed[:5]) + (" ..." if len(source.changed) > 5 else "")
    if ctx.allow_dirty:
        report.detail(f"DIRTY: {lay.project.library}/ differs from the commit ({named}); --allow-dirty: the upload's")
        report.detail("record says so, no release tag is made, and `ytc-release provenance` will not reproduce it")
    elif ctx.dry_run:
        report.detail(f"DIRTY: {lay.project.library}/ differs from the commit ({named}): a release would stop here")
    else:
        raise ProvenanceError(
            f"{lay.project.library}/ has changes that are not committed ({named}): the files would not be "
            "what the commit builds, and nobody could rebuild them",
            "commit (or stash) them and release again; to publish anyway, marked as built from a dirty tree, "
            "pass --allow-dirty",
        )
    return source


def _tag(ctx: Context, source: SourceState, version: str) -> None:
    root, report = ctx.lay.root, ctx.report
    tag = release_tag(version)
    if source.dirty:
        report.detail(f"no tag {tag}: the files were built from uncommitted changes, which no commit holds")
        return
    found = run(["git", "-C", root, "rev-parse", "-q", "--verify", f"refs/tags/{tag}^{{commit}}"], merge_stderr=False)
    existing = found.stdout.strip() if found.returncode == 0 else ""
    if existing == source.commit:
        report.detail(f"tag {tag} already names commit {source.commit[:12]}")
    elif existing:
        report.detail(
            f"WARNING: tag {tag} names another commit ({existing[:12]}), not the one built ({source.commit[:12]}); "
            "it was left as it is (tags are never moved): find out which is right before pushing anything"
        )
    else:
        made = run(["git", "-C", root, "tag", tag, source.commit])
        if made.returncode != 0:
            report.detail(f"WARNING: could not create tag {tag}: {made.stdout.strip()}; create it by hand")
        else:
            report.detail(f"tagged {source.commit[:12]} as {tag}; share it: git push origin {tag}")


def record_step(ctx: Context, done: Results) -> None:
    ready, report, source = done.ready, ctx.report, done.source
    assert source is not None, "the source step runs before publish"
    ours = parse_comment(upload_comment(source, read_toolchain(ctx.lay.dist)))
    served = {f.filename: f for f in served_files(ready.index, ctx.lay.project.normalized).of_version(ready.version)}
    records = {a.name: served[a.name].record if a.name in served else None for a in done.artifacts}
    uploaded = set(done.publish.uploaded) if done.publish else set()
    if not any(records.values()):
        report.detail(
            f"the index at {ready.describe_index()} keeps no provenance record (stock pypiserver does not): "
            f"the release tag is the only record of the commit, and `ytc-release provenance` cannot check it"
        )
    for name, record in records.items():
        if record is None:
            continue
        if name in uploaded and record != ours:
            raise ProvenanceError(
                f"the index recorded {record} for {name}, not the record this run sent",
                "the index altered or dropped the record: check its version and the upload journal",
            )
        built = "clean tree" if record.get("tree") == "clean" else "DIRTY tree"
        report.detail(f"index records {name}: commit {str(record.get('commit'))[:12]}, {built}")
    _tag(ctx, source, ready.version)
