"""What must hold for a built distribution before it may be published:
`twine check --strict`, a wheel holding only the library's import packages and
its metadata (no tests, no caches), an sdist holding only files of the library's
own folder, and every module of the wheel importing beside only its declared
dependencies (pipeline/imports.py)."""

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
from ytc_release.pipeline.build import Artifact
from ytc_release.pipeline.imports import check_imports
from ytc_release.pipeline.steps import Context, Results
from ytc_release.project import Project, normalize
from ytc_release.toolkit.caches import locked
from ytc_release.toolkit.runner import clean_pip_env, run_checked

_FORBIDDEN_PARTS = ("__pycache__", "tests", "test", ".pytest_cache")
_FORBIDDEN_SUFFIXES = (".pyc", ".pyo", ".orig", ".rej", ".swp")


def is_test_or_cache(rel: str) -> bool:
    """A test module, a conftest, a tests folder or a cache: never shipped (helper packages such as
    `test_utils/` that services import are not tests)."""
    parts = rel.split("/")
    base = parts[-1]
    return (
        any(p in _FORBIDDEN_PARTS for p in parts[:-1])
        or rel.endswith(_FORBIDDEN_SUFFIXES)
        or base == "conftest.py"
        or (base.startswith("test_") and base.endswith(".py"))
        or base.endswith("_test.py")
    )


def declared_metadata(library: Path) -> tuple[str | None, list[str]]:
    """requires-python and dependencies as the library's pyproject.toml declares them."""
    path = library / "pyproject.toml"
    if not path.is_file():
        raise CheckError(
            f"{path} is missing: the checks compare the wheel's metadata with what it declares",
            "give the library a PEP 621 pyproject.toml (`ytc-release init` writes one for a setup.py library)",
        )
    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    return project.get("requires-python"), list(project.get("dependencies", []))


def needs_py_typed(library: Path) -> bool:
    """A library whose source carries py.typed promises type hints: its wheel must carry it too."""
    return any(library.rglob("py.typed"))


def wheel_problems(
    wheel: Path,
    project: Project,
    version: str,
    requires_python: str | None,
    dependencies: list[str],
    *,
    py_typed: bool = False,
) -> list[str]:
    problems: list[str] = []
    dist_info = f"{project.wheel_stem}-{version}.dist-info/"
    tops = tuple(f"{name}/" for name in project.import_names)
    shown = ", ".join(tops)
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        for name in names:
            if not (name.startswith(tops) or name.startswith(dist_info)):
                problems.append(f"stray file outside {shown} and its dist-info: {name}")
            elif not name.startswith(dist_info) and is_test_or_cache(name):
                problems.append(f"tests or caches must not ship: {name}")
        if py_typed and not any(f"{top}py.typed" in names for top in tops):
            problems.append(f"{tops[0]}py.typed is missing (type checkers would ignore the hints)")
        if dist_info + "METADATA" not in names:
            return [*problems, f"{dist_info}METADATA is missing"]
        meta = Parser().parsestr(zf.read(dist_info + "METADATA").decode("utf-8"))
    if normalize(meta["Name"] or "") != project.normalized:
        problems.append(f"metadata Name is {meta['Name']!r}, expected {project.distribution!r}")
    if meta["Version"] != version:
        problems.append(f"metadata Version is {meta['Version']!r}, expected {version!r}")
    if meta["Requires-Python"] != requires_python:
        problems.append(f"metadata Requires-Python is {meta['Requires-Python']!r}, expected {requires_python!r}")
    shipped = {str(Requirement(r)) for r in meta.get_all("Requires-Dist") or []}
    declared = {str(Requirement(r)) for r in dependencies}
    if shipped != declared:
        problems.append(f"metadata Requires-Dist {sorted(shipped)} differs from pyproject {sorted(declared)}")
    return problems


def sdist_problems(sdist: Path, project: Project, version: str, library: Path) -> list[str]:
    """Every file of the sdist is a file of the library's own folder (nothing from the repository
    around it, whose changes would alter the sdist's bytes under the same epoch), and no test or cache."""
    top = f"{project.wheel_stem}-{version}/"
    problems = []
    with tarfile.open(sdist) as tf:
        for member in tf.getmembers():
            if member.isdir():
                continue
            rel = member.name.removeprefix(top)
            if member.name == rel or (rel != "PKG-INFO" and not (library / rel).is_file()):
                problems.append(f"stray file in the sdist: {member.name}")
            elif is_test_or_cache(rel):
                problems.append(f"tests or caches must not ship: {member.name}")
    return problems


def check_wheel(wheel: Path, project: Project, version: str, library: Path) -> None:
    requires_python, dependencies = declared_metadata(library)
    problems = wheel_problems(wheel, project, version, requires_python, dependencies, py_typed=needs_py_typed(library))
    if problems:
        raise CheckError(f"{wheel.name} failed the content check:\n" + "\n".join(f"    - {p}" for p in problems))


def twine_check(artifacts: list[Artifact]) -> None:
    run_checked(
        [sys.executable, "-m", "twine", "check", "--strict", *(a.path for a in artifacts)],
        error=CheckError,
        what="`twine check --strict` rejected the build",
    )


def check_artifacts(artifacts: list[Artifact], project: Project, version: str, library: Path) -> None:
    twine_check(artifacts)
    wheels = [a for a in artifacts if a.name.endswith(".whl")]
    if len(wheels) != 1:
        raise CheckError(f"expected exactly one wheel, found {[a.name for a in wheels]}")
    check_wheel(wheels[0].path, project, version, library)
    for sdist in (a for a in artifacts if a.name.endswith(".tar.gz")):
        problems = sdist_problems(sdist.path, project, version, library)
        if problems:
            raise CheckError(f"{sdist.name} failed the content check:\n" + "\n".join(f"    - {p}" for p in problems))


def check_wheel_imports(ctx: Context, done: Results, wheel: Artifact) -> None:
    """Every module of the wheel imports in the cached venv of its declared dependencies."""
    from ytc_release.pipeline import verify

    lay, target = ctx.lay, done.ready.index
    _, dependencies = declared_metadata(lay.library)
    venv, reused = verify.dependencies_venv(
        target, lay.project.distribution, verify.requirements_of(wheel.path), verify.index_env(target)
    )
    python = venv / "bin" / "python"
    with locked(venv):
        run_checked(
            [python, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", "--no-index", wheel.path],
            env=clean_pip_env(),
            error=CheckError,
            what=f"could not install {wheel.name} into the venv of its declared dependencies",
        )
        pyproject = f"{lay.project.library}/pyproject.toml"
        notes = check_imports(python, wheel.path, lay.project, dependencies, pyproject)
    where = "cached venv of its dependencies" if reused else "new venv of its dependencies (cached for next time)"
    ctx.report.detail(f"{where}: every module imports beside only the declared dependencies")
    for note in notes:
        ctx.report.detail(note)


def step(ctx: Context, done: Results) -> None:
    """Step 3, check: what must hold before the files may be published."""
    project = ctx.lay.project
    check_artifacts(list(done.artifacts), project, done.ready.version, ctx.lay.library)
    if done.build:  # `publish` checks quietly, as it always did
        shown = ", ".join(project.import_names)
        ctx.report.detail(f"twine check --strict passed; wheel holds only {shown} and its metadata")
    check_wheel_imports(ctx, done, next(a for a in done.artifacts if a.name.endswith(".whl")))
