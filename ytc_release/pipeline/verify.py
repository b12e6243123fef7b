"""Install the published version the way a service would, in a fresh venv that
sees only our index, and prove it is the file we built."""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

from ytc_release.errors import VerifyError
from ytc_release.index.client import IndexedFile, fetch, project_files
from ytc_release.paths import DIST_NAME, IMPORT_NAME
from ytc_release.pipeline.build import Artifact
from ytc_release.pipeline.steps import Context, Results
from ytc_release.target import IndexTarget
from ytc_release.toolkit.runner import clean_pip_env, run_checked


def check_served_hashes(target: IndexTarget, artifacts: list[Artifact], version: str) -> list[IndexedFile]:
    """The listing's sha256 and the bytes actually served both equal the local build."""
    listed = {f.filename: f for f in project_files(target, DIST_NAME)}
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


def install_and_import(target: IndexTarget, version: str) -> str:
    """pip install ytcaption-common==version from the index alone; returns the imported __version__."""
    with tempfile.TemporaryDirectory(prefix="ytc-verify-") as tmp:
        venv = Path(tmp) / "venv"
        run_checked(
            [sys.executable, "-m", "venv", venv], error=VerifyError, what="could not create a venv for the check"
        )
        python = venv / "bin" / "python"
        # The index URL carries credentials: pip reads it from the environment, never
        # from argv, which every user of the machine can see in `ps`.
        env = target.tool_env(clean_pip_env())
        env["PIP_INDEX_URL"] = target.simple_url_with_credentials()
        run_checked(
            [python, "-m", "pip", "install", "--no-input", f"{DIST_NAME}=={version}"],
            env=env,
            timeout=900,
            error=VerifyError,
            what=f"pip could not install {DIST_NAME}=={version} from {target.simple_url}",
        )
        probe = run_checked(
            [
                python,
                "-c",
                f"import {IMPORT_NAME} as m, importlib.metadata as md; print(m.__version__, md.version('{DIST_NAME}'))",
            ],
            error=VerifyError,
            what="the installed package does not import",
        )
        imported, metadata = probe.stdout.split()
        if imported != version or metadata != version:
            raise VerifyError(
                f"installed {DIST_NAME} reports __version__ {imported} / metadata {metadata}, expected {version}"
            )
        return imported


def step(ctx: Context, done: Results) -> None:
    """Step 5, verify: the index serves our bytes, and a fresh venv installs and imports them."""
    target, version = done.ready.index, done.ready.version
    check_served_hashes(target, list(done.artifacts), version)
    ctx.report.detail("the index lists and serves the same sha256 as the local build")
    install_and_import(target, version)
    ctx.report.detail(f"fresh venv: pip install {DIST_NAME}=={version} from the index alone, import ok")
