"""Part of step 3, check: every module of the built wheel imports in a venv that holds only the
wheel and the dependencies it declares. A module that imports something undeclared (upstream's
`common.http_utils` imports httpx, which its setup.py never named) would fail in a service that
happens not to install it: it is found here, by name, before anything is published. Modules the
table exempts (`import-check-exempt`, e.g. a test helper that needs pytest) are tried and reported,
never fatal."""

from __future__ import annotations

import fnmatch
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from ytc_release.errors import CheckError
from ytc_release.project import Project, normalize
from ytc_release.toolkit.runner import run_checked

# Imports each module named in argv in this process and prints, per module that
# fails, its exception type, message and (for a missing module) the name that was missing.
_IMPORT_ALL = """
import importlib, json, sys
failed = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except BaseException as err:
        failed[name] = {"type": type(err).__name__, "message": str(err)[:300],
                        "missing": getattr(err, "name", None) if isinstance(err, ImportError) else None}
print(json.dumps(failed))
"""


@dataclass(frozen=True)
class ImportFailure:
    module: str
    type: str
    message: str
    missing: str | None  # the top-level module that was not found, for ModuleNotFoundError


def wheel_modules(wheel: Path, import_names: tuple[str, ...]) -> list[str]:
    """The dotted names of every Python module of the wheel's import packages."""
    modules = set()
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            parts = name.split("/")
            if parts[0] not in import_names or not name.endswith(".py"):
                continue
            parts[-1] = parts[-1].removesuffix(".py")
            if parts[-1] == "__init__":
                parts.pop()
            if all(p.isidentifier() for p in parts):
                modules.add(".".join(parts))
    return sorted(modules)


def import_failures(python: Path, modules: list[str]) -> list[ImportFailure]:
    result = run_checked(
        [python, "-c", _IMPORT_ALL, *modules],
        merge_stderr=False,
        timeout=600,
        error=CheckError,
        what="the import check could not run in the venv of the declared dependencies",
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    return [ImportFailure(m, f["type"], f["message"], f["missing"]) for m, f in sorted(found.items())]


def _declared_names(dependencies: list[str]) -> set[str]:
    names = set()
    for dep in dependencies:
        try:
            names.add(normalize(Requirement(dep).name))
        except InvalidRequirement:
            continue
    return names


def is_exempt(module: str, exempt: tuple[str, ...]) -> bool:
    """`pkg.mod` exempts that module and every module below it; globs (`pkg.test_*`) work too."""
    return any(module == e or module.startswith(e + ".") or fnmatch.fnmatchcase(module, e) for e in exempt)


def findings(
    failures: list[ImportFailure], project: Project, dependencies: list[str], pyproject: str
) -> tuple[list[str], list[str]]:
    """(problems, notes): what fails the check, and what is only reported (exempt modules)."""
    declared = _declared_names(dependencies)
    own = set(project.import_names)
    problems, notes = [], []
    for f in failures:
        top = (f.missing or "").split(".")[0]
        undeclared = bool(f.missing) and top not in own and normalize(top) not in declared
        if is_exempt(f.module, project.import_check_exempt):
            why = f"needs `{top}`, not declared" if undeclared else f"{f.type}: {f.message}"
            notes.append(f"{f.module} does not import ({why}); exempt by import-check-exempt")
        elif undeclared:
            problems.append(
                f"{f.module} does not import: it needs the module `{top}`, which none of the declared "
                f"dependencies provides; add the distribution that provides `{top}` to [project].dependencies "
                f"in {pyproject}"
            )
        else:
            problems.append(f"{f.module} does not import: {f.type}: {f.message}")
    return problems, notes


def check_imports(python: Path, wheel: Path, project: Project, dependencies: list[str], pyproject: str) -> list[str]:
    """Raises CheckError naming every module that does not import; returns the exempt modules' notes."""
    modules = wheel_modules(wheel, project.import_names)
    problems, notes = findings(import_failures(python, modules), project, dependencies, pyproject)
    if problems:
        raise CheckError(
            f"{wheel.name}: {len(problems)} of {len(modules)} modules do not import beside only the declared "
            "dependencies:\n" + "\n".join(f"    - {p}" for p in problems),
            f"declare what they need in {pyproject}, or, for a module only tests use (it needs pytest), list it "
            "in import-check-exempt of [tool.ytc-release]",
        )
    return notes
