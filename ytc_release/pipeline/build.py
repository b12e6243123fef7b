"""Reproducible wheel + sdist of the library, with whatever PEP 517 backend it declares
(SOURCE_DATE_EPOCH = the time of the last commit that touched the library's folder)."""

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

from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

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


def source_date_epoch(root: Path, library: str, given: str | None = None) -> str:
    """The time of the last commit that touched the library's folder: the same library source
    always gives the same bytes, and a commit elsewhere (a pin, a service, the
    docs) does not turn a published version into a "different" build."""
    if given:  # SOURCE_DATE_EPOCH, from the settings
        return given
    result = run(["git", "-C", root, "log", "-1", "--format=%ct", "--", library])
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
# The frontend and hatchling's own imports: their versions decide the bytes too.
TOOLCHAIN = ("build", "packaging", "pathspec", "pluggy", "trove-classifiers", "pyproject_hooks")


def backend_requires(library: Path) -> list[str]:
    """The library's [build-system] requires (PEP 518's default when it declares none)."""
    path = library / "pyproject.toml"
    if not path.is_file():
        return ["setuptools>=40.8.0"]
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return list(data.get("build-system", {}).get("requires", ["setuptools>=40.8.0"]))


def unsatisfied(requires: list[str]) -> list[str]:
    """The backend requirements this tool's environment does not satisfy."""
    missing = []
    for text in requires:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            installed = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(text)
            continue
        if not req.specifier.contains(installed, prereleases=True):
            missing.append(text)
    return missing


def write_toolchain(path: Path, epoch: str, requires: list[str], isolated: bool) -> None:
    lines = [f"python {platform.python_implementation()} {platform.python_version()}"]
    names = dict.fromkeys([*TOOLCHAIN, *(Requirement(r).name for r in requires)])
    for name in names:
        try:
            lines.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    if isolated:
        lines.append("isolated build: the backend was installed from the index, its version is not recorded")
    lines.append(f"SOURCE_DATE_EPOCH {epoch}")
    path.write_text("\n".join(lines) + "\n")


def build(library: Path, out_dir: Path, root: Path, epoch: str | None = None) -> list[Artifact]:
    """Build wheel and sdist into ``out_dir``, replacing older builds of the same files."""
    rel = library.relative_to(root).as_posix()
    env = dict(os.environ, SOURCE_DATE_EPOCH=source_date_epoch(root, rel, epoch))
    requires = backend_requires(library)
    # Without isolation when this environment has the backend (the pinned hatchling of the
    # tool's lock): offline and repeatable. Else build fetches the backend into its own venv.
    isolated = bool(unsatisfied(requires))
    with tempfile.TemporaryDirectory(prefix="ytc-build-") as tmp:
        run_checked(
            [
                sys.executable,
                "-m",
                "build",
                *([] if isolated else ["--no-isolation"]),
                "--sdist",
                "--wheel",
                "--outdir",
                tmp,
                library,
            ],
            env=env,
            error=BuildError,
            what=f"building {rel}/ failed",
        )
        built = sorted(Path(tmp).iterdir())
        if sorted(p.suffix for p in built) != [".gz", ".whl"]:
            raise BuildError(f"expected one wheel and one sdist, the build produced {[p.name for p in built]}")
        out_dir.mkdir(parents=True, exist_ok=True)
        write_toolchain(out_dir / TOOLCHAIN_FILE, env["SOURCE_DATE_EPOCH"], requires, isolated)
        artifacts = []
        for path in built:
            target = out_dir / path.name
            shutil.move(path, target)
            artifacts.append(Artifact(target, sha256_of(target)))
    return artifacts


def find_artifacts(out_dir: Path, stem: str, version: str) -> list[Artifact]:
    """The wheel and sdist of ``version`` already in ``out_dir`` (e.g. a CI artifact); ``stem`` is
    the distribution's name as file names spell it."""
    wheels = sorted(out_dir.glob(f"{stem}-{version}-*.whl"))
    sdist = out_dir / f"{stem}-{version}.tar.gz"
    missing = ([] if len(wheels) == 1 else [f"one {stem}-{version}-*.whl"]) + ([] if sdist.is_file() else [sdist.name])
    if missing:
        raise BuildError(
            f"{out_dir} lacks {', '.join(missing)}", "run `ytc-release build` first (or download the artifact)"
        )
    return [Artifact(p, sha256_of(p)) for p in (wheels[0], sdist)]


def step(ctx: Context, done: Results) -> tuple[Artifact, ...]:
    """Step 2, build: wheel + sdist of the library into dist/, reproducibly."""
    artifacts = tuple(build(ctx.lay.library, ctx.lay.dist, ctx.lay.root, ctx.source_date_epoch))
    for a in artifacts:
        ctx.report.detail(f"{a.sha256}  {a.name}")
    return artifacts
