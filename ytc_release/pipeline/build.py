"""Reproducible wheel + sdist of common/ (SOURCE_DATE_EPOCH = last commit time)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ytc_release.errors import BuildError
from ytc_release.pipeline.steps import Context, Results
from ytc_release.toolkit.runner import run, run_checked


@dataclass(frozen=True)
class Artifact:
    path: Path
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def source_date_epoch(root: Path, given: str | None = None) -> str:
    """The time of the last commit that touched common/: the same library source
    always gives the same bytes, and a commit elsewhere (a pin, a service, the
    docs) does not turn a published version into a "different" build."""
    if given:  # SOURCE_DATE_EPOCH, from the settings
        return given
    result = run(["git", "-C", root, "log", "-1", "--format=%ct", "--", "common"])
    epoch = result.stdout.strip()
    if result.returncode != 0 or not epoch.isdigit():
        raise BuildError(
            f"cannot read the last commit's time in {root} (is it a git checkout with a commit?)",
            "commit your change (reproducible builds take their timestamps from the last commit) "
            "or set SOURCE_DATE_EPOCH",
        )
    return epoch


# Beside the wheel and sdist in dist/: what built them. Not a distribution: publish and
# the checks take only the two files they name (find_artifacts), never a glob of dist/.
TOOLCHAIN_FILE = "BUILD-TOOLCHAIN.txt"
# The backend and frontend whose versions decide the bytes (hatchling and what it imports).
TOOLCHAIN = ("build", "hatchling", "packaging", "pathspec", "pluggy", "trove-classifiers", "pyproject_hooks")


def write_toolchain(path: Path, epoch: str) -> None:
    lines = [f"python {platform.python_implementation()} {platform.python_version()}"]
    lines += [f"{name} {importlib.metadata.version(name)}" for name in TOOLCHAIN]
    lines.append(f"SOURCE_DATE_EPOCH {epoch}")
    path.write_text("\n".join(lines) + "\n")


def build(common_dir: Path, out_dir: Path, root: Path, epoch: str | None = None) -> list[Artifact]:
    """Build wheel and sdist into ``out_dir``, replacing older builds of the same files."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=source_date_epoch(root, epoch))
    with tempfile.TemporaryDirectory(prefix="ytc-build-") as tmp:
        # --no-isolation: build with the workspace's pinned hatchling, offline and repeatable.
        run_checked(
            [sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", tmp, common_dir],
            env=env,
            error=BuildError,
            what=f"building {common_dir.name}/ failed",
        )
        built = sorted(Path(tmp).iterdir())
        if sorted(p.suffix for p in built) != [".gz", ".whl"]:
            raise BuildError(f"expected one wheel and one sdist, the build produced {[p.name for p in built]}")
        out_dir.mkdir(parents=True, exist_ok=True)
        write_toolchain(out_dir / TOOLCHAIN_FILE, env["SOURCE_DATE_EPOCH"])
        artifacts = []
        for path in built:
            target = out_dir / path.name
            shutil.move(path, target)
            artifacts.append(Artifact(target, sha256_of(target)))
    return artifacts


def find_artifacts(out_dir: Path, version: str) -> list[Artifact]:
    """The wheel and sdist of ``version`` already in ``out_dir`` (e.g. a CI artifact)."""
    names = [f"ytcaption_common-{version}-py3-none-any.whl", f"ytcaption_common-{version}.tar.gz"]
    missing = [n for n in names if not (out_dir / n).is_file()]
    if missing:
        raise BuildError(f"{out_dir} lacks {', '.join(missing)}", "run `make build` first (or download the artifact)")
    return [Artifact(out_dir / n, sha256_of(out_dir / n)) for n in names]


def step(ctx: Context, done: Results) -> tuple[Artifact, ...]:
    """Step 2, build: wheel + sdist of common/ into dist/, reproducibly."""
    artifacts = tuple(build(ctx.lay.common, ctx.lay.dist, ctx.lay.root, ctx.source_date_epoch))
    for a in artifacts:
        ctx.report.detail(f"{a.sha256}  {a.name}")
    return artifacts
