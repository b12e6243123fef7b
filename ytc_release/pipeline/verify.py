"""Install the published version the way a service would, from our index
alone, and prove it is the file we built. The library's dependencies live in a
venv cached by what the library requires (they are not what a release
changes); the library itself is downloaded from the index on every run and
must hash to the local wheel."""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path

from ytc_release.errors import VerifyError
from ytc_release.index.client import IndexedFile, fetch, project_files
from ytc_release.pipeline.build import Artifact
from ytc_release.pipeline.steps import Context, Results
from ytc_release.project import Project
from ytc_release.target import IndexTarget
from ytc_release.toolkit.caches import cache_root, cached_dir, locked
from ytc_release.toolkit.runner import clean_pip_env, run_checked


def check_served_hashes(target: IndexTarget, name: str, artifacts: list[Artifact]) -> list[IndexedFile]:
    """The listing's sha256 and the bytes actually served both equal the local build."""
    listed = {f.filename: f for f in project_files(target, name)}
    for artifact in artifacts:
        entry = listed.get(artifact.name)
        if entry is None:
            raise VerifyError(f"the index does not list {artifact.name} after the upload")
        if entry.sha256 != artifact.sha256:
            raise VerifyError(
                f"the index lists {artifact.name} with sha256 {entry.sha256}, the local build is {artifact.sha256}"
            )
        served = hashlib.sha256(fetch(target, entry.url)).hexdigest()
        if served != artifact.sha256:
            raise VerifyError(
                f"the index serves {artifact.name} with sha256 {served}, the local build is {artifact.sha256}"
            )
    return [listed[a.name] for a in artifacts]


def requirements_of(wheel: Path) -> list[str]:
    """The wheel's Requires-Dist: what the library needs installed beside it."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(zf.read(name).decode("utf-8"))
    return sorted(meta.get_all("Requires-Dist") or [])


def dependencies_venv(
    target: IndexTarget, name: str, requirements: list[str], env: dict[str, str]
) -> tuple[Path, bool]:
    """A venv holding the library's dependencies, installed through the index when first
    filled, cached by what the library requires and this Python: the same for every index
    and every release that does not change them. (path, reused?)"""
    key = hashlib.sha256("\0".join([sys.executable, sys.version, *requirements]).encode()).hexdigest()[:20]
    venv = cache_root("verify", "YTC_VERIFY_CACHE") / key

    def fill(path: Path) -> None:
        run_checked(
            [sys.executable, "-m", "venv", path], error=VerifyError, what="could not create a venv for the check"
        )
        if requirements:
            run_checked(
                [path / "bin" / "python", "-m", "pip", "install", "--no-input", "--quiet", *requirements],
                env=env,
                timeout=900,
                error=VerifyError,
                what=f"pip could not install the dependencies of {name} from {target.simple_url}",
            )

    return venv, cached_dir(venv, fill)


def index_env(target: IndexTarget) -> dict[str, str]:
    """pip's environment for installs from the index alone (the machine's pip configuration ignored)."""
    # The index URL carries credentials: pip reads it from the environment, never
    # from argv, which every user of the machine can see in `ps`.
    env = target.tool_env(clean_pip_env())
    env["PIP_INDEX_URL"] = target.simple_url_with_credentials()
    return env


# Imports the library's packages and prints, as JSON, each one's __version__ (None when it has none)
# and the distribution's metadata version.
_PROBE = (
    "import importlib, importlib.metadata as md, json, sys; "
    "names, dist = sys.argv[1].split(','), sys.argv[2]; "
    "print(json.dumps({'modules': {n: getattr(importlib.import_module(n), '__version__', None) for n in names}, "
    "'metadata': md.version(dist)}))"
)


def install_and_import(target: IndexTarget, project: Project, version: str, wheel: Artifact) -> bool:
    """pip installs NAME==version from the index alone, with --require-hashes on the sha256 of
    our wheel, into the dependencies' venv, and imports its packages. (venv reused?)"""
    name = project.distribution
    env = index_env(target)
    venv, reused = dependencies_venv(target, name, requirements_of(wheel.path), env)
    python = venv / "bin" / "python"
    with locked(venv), tempfile.TemporaryDirectory(prefix="ytc-verify-") as tmp:
        pinned = Path(tmp) / "requirements.txt"
        pinned.write_text(f"{name}=={version} --hash=sha256:{wheel.sha256}\n")
        # --no-deps: the dependencies are the venv's; --no-cache-dir: the bytes come from the
        # index now, and pip refuses them unless they hash to the wheel we built.
        run_checked(
            [
                python,
                "-m",
                "pip",
                "install",
                "--no-input",
                "--quiet",
                "--no-deps",
                "--force-reinstall",
                "--no-cache-dir",
                "--only-binary",
                ":all:",
                "--require-hashes",
                "-r",
                pinned,
            ],
            env=env,
            timeout=900,
            error=VerifyError,
            what=f"pip could not install {name}=={version} from {target.simple_url}",
        )
        probe = run_checked(
            [python, "-c", _PROBE, ",".join(project.import_names), name],
            error=VerifyError,
            what="the installed package does not import",
        )
    found = json.loads(probe.stdout)
    wrong = {m: v for m, v in found["modules"].items() if v is not None and v != version}
    if found["metadata"] != version or wrong:
        raise VerifyError(
            f"installed {name} reports metadata version {found['metadata']}"
            + "".join(f", {m}.__version__ {v}" for m, v in wrong.items())
            + f"; expected {version}"
        )
    return reused


def step(ctx: Context, done: Results) -> None:
    """Step 5, verify: the index serves our bytes, and a fresh venv installs and imports them."""
    target, version, project = done.ready.index, done.ready.version, ctx.lay.project
    check_served_hashes(target, project.distribution, list(done.artifacts))
    ctx.report.detail("the index lists and serves the same sha256 as the local build")
    wheel = next(a for a in done.artifacts if a.name.endswith(".whl"))
    reused = install_and_import(target, project, version, wheel)
    where = "cached venv of its dependencies" if reused else "new venv of its dependencies (cached for next time)"
    ctx.report.detail(
        f"{where}: pip install {project.distribution}=={version} from the index alone, sha256 required, import ok"
    )
