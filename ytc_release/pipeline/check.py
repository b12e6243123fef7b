"""What must hold for a built distribution before it may be published:
`twine check --strict`, a wheel holding only the library and its metadata, and
an sdist holding only what common/ itself declares (nothing from the repository
around it, whose changes would alter the sdist's bytes under the same epoch)."""

from __future__ import annotations

import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

from ytc_release.errors import CheckError
from ytc_release.paths import DIST_NAME, IMPORT_NAME
from ytc_release.pipeline.build import Artifact
from ytc_release.pipeline.steps import Context, Results
from ytc_release.toolkit.runner import run_checked

_FORBIDDEN_PARTS = ("__pycache__", "tests", "test", ".pytest_cache")
_FORBIDDEN_SUFFIXES = (".pyc", ".pyo", ".orig", ".rej", ".swp")


def declared_metadata(common_dir: Path) -> tuple[str, list[str]]:
    """requires-python and dependencies as pyproject.toml declares them."""
    project = tomllib.loads((common_dir / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["requires-python"], list(project.get("dependencies", []))


def wheel_problems(wheel: Path, version: str, requires_python: str, dependencies: list[str]) -> list[str]:
    problems: list[str] = []
    dist_info = f"{IMPORT_NAME}-{version}.dist-info/"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        for name in names:
            parts = name.split("/")
            if not (name.startswith(f"{IMPORT_NAME}/") or name.startswith(dist_info)):
                problems.append(f"stray file outside {IMPORT_NAME}/ and its dist-info: {name}")
            if any(p in _FORBIDDEN_PARTS for p in parts[:-1]) or name.endswith(_FORBIDDEN_SUFFIXES):
                problems.append(f"tests or caches must not ship: {name}")
        if f"{IMPORT_NAME}/py.typed" not in names:
            problems.append(f"{IMPORT_NAME}/py.typed is missing (type checkers would ignore the hints)")
        if dist_info + "METADATA" not in names:
            return [*problems, f"{dist_info}METADATA is missing"]
        meta = Parser().parsestr(zf.read(dist_info + "METADATA").decode("utf-8"))
    if meta["Name"] != DIST_NAME:
        problems.append(f"metadata Name is {meta['Name']!r}, expected {DIST_NAME!r}")
    if meta["Version"] != version:
        problems.append(f"metadata Version is {meta['Version']!r}, expected {version!r}")
    if meta["Requires-Python"] != requires_python:
        problems.append(f"metadata Requires-Python is {meta['Requires-Python']!r}, expected {requires_python!r}")
    shipped = {str(Requirement(r)) for r in meta.get_all("Requires-Dist") or []}
    declared = {str(Requirement(r)) for r in dependencies}
    if shipped != declared:
        problems.append(f"metadata Requires-Dist {sorted(shipped)} differs from pyproject {sorted(declared)}")
    return problems


# What the sdist may hold (common/pyproject.toml [tool.hatch.build.targets.sdist]), plus the
# PKG-INFO the backend writes and common/.gitignore, which hatchling always ships.
_SDIST_FILES = ("PKG-INFO", "pyproject.toml", "README.md", "CHANGELOG.md", ".gitignore")


def sdist_problems(sdist: Path, version: str) -> list[str]:
    top = f"{IMPORT_NAME}-{version}/"
    problems = []
    with tarfile.open(sdist) as tf:
        for member in tf.getmembers():
            if member.isdir():
                continue
            rel = member.name.removeprefix(top)
            if member.name == rel or not (rel in _SDIST_FILES or rel.startswith(f"src/{IMPORT_NAME}/")):
                problems.append(f"stray file in the sdist: {member.name}")
            elif any(p in _FORBIDDEN_PARTS for p in rel.split("/")[:-1]) or rel.endswith(_FORBIDDEN_SUFFIXES):
                problems.append(f"tests or caches must not ship: {member.name}")
    return problems


def check_wheel(wheel: Path, version: str, common_dir: Path) -> None:
    requires_python, dependencies = declared_metadata(common_dir)
    problems = wheel_problems(wheel, version, requires_python, dependencies)
    if problems:
        raise CheckError(f"{wheel.name} failed the content check:\n" + "\n".join(f"    - {p}" for p in problems))


def twine_check(artifacts: list[Artifact]) -> None:
    run_checked(
        [sys.executable, "-m", "twine", "check", "--strict", *(a.path for a in artifacts)],
        error=CheckError,
        what="`twine check --strict` rejected the build",
    )


def check_artifacts(artifacts: list[Artifact], version: str, common_dir: Path) -> None:
    twine_check(artifacts)
    wheels = [a for a in artifacts if a.name.endswith(".whl")]
    if len(wheels) != 1:
        raise CheckError(f"expected exactly one wheel, found {[a.name for a in wheels]}")
    check_wheel(wheels[0].path, version, common_dir)
    for sdist in (a for a in artifacts if a.name.endswith(".tar.gz")):
        problems = sdist_problems(sdist.path, version)
        if problems:
            raise CheckError(f"{sdist.name} failed the content check:\n" + "\n".join(f"    - {p}" for p in problems))


def step(ctx: Context, done: Results) -> None:
    """Step 3, check: what must hold before the files may be published."""
    check_artifacts(list(done.artifacts), done.ready.version, ctx.lay.common)
    if done.build:  # `publish` checks quietly, as it always did
        ctx.report.detail("twine check --strict passed; wheel holds only ytcaption_common and its metadata")
