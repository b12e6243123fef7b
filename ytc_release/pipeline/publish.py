"""Step 4, publish: upload what the index does not hold yet. A version on the
index with other bytes is taken for good; identical files make it a no-op."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ytc_release.errors import UploadError, VersionTakenError
from ytc_release.index import client
from ytc_release.index.client import IndexedFile
from ytc_release.pipeline.build import Artifact
from ytc_release.pipeline.steps import Context, Results
from ytc_release.provenance.source import read_toolchain, upload_comment


@dataclass(frozen=True)
class Published:
    uploaded: tuple[str, ...]
    already_published: bool


def compare_with_index(published: Iterable[IndexedFile], artifacts: Iterable[Artifact], version: str) -> list[Artifact]:
    """Which local files still need uploading. Any file of this version on the
    index that differs from the local build means the version is taken."""
    local = {a.name: a for a in artifacts}
    present = set()
    for entry in published:
        present.add(entry.filename)
        mine = local.get(entry.filename)
        if mine is None:
            raise VersionTakenError(
                f"{version} is already on the index with a file this build does not make: {entry.filename}"
            )
        if entry.sha256 != mine.sha256:
            raise VersionTakenError(
                f"{version} is already on the index and {entry.filename} differs from this build "
                f"(index sha256 {entry.sha256}, local {mine.sha256})"
            )
    return [a for name, a in local.items() if name not in present]


def step(ctx: Context, done: Results) -> Published:
    ready = done.ready
    missing = compare_with_index(ready.published, done.artifacts, ready.version)
    if not missing:
        ctx.report.detail(f"{ready.version} is already on the index with identical files: nothing to upload")
    uploaded: list[str] = []
    # Each upload names its commit, the tree's state and the toolchain (provenance/source.py).
    comment = upload_comment(done.source, read_toolchain(ctx.lay.dist)) if done.source else None
    # Wheel first: once it is up, installs work even if the sdist upload is interrupted.
    for artifact in sorted(missing, key=lambda a: not a.name.endswith(".whl")):
        try:
            client.upload(ready.index, artifact.path, comment=comment)
        except UploadError as err:
            done_names = ", ".join(uploaded) or "none"
            raise UploadError(f"{err.problem}\n    already uploaded in this run: {done_names}") from err
        uploaded.append(artifact.name)
        ctx.report.detail(f"uploaded {artifact.name}")
    return Published(tuple(uploaded), already_published=not missing)
