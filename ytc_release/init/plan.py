"""`ytc-release init`: find the library and the services, then write the `[tool.ytc-release]`
table (and, for a library with only a setup.py or setup.cfg, a PEP 621 pyproject.toml).

Everything is planned in memory first (file -> new text, files to remove); `--dry-run`
prints the plan as a diff. A written plan is read back through the same parser every
command uses; if it does not hold, every file is put back as it was."""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ytc_release import project as project_table
from ytc_release.errors import ProjectConfigError, ReleaseError
from ytc_release.init import detect
from ytc_release.init.setup_files import Declared, read_library, version_in_init
from ytc_release.pipeline.check import is_test_or_cache
from ytc_release.toolkit.runner import run

# Files of a flat library folder that are its packaging, never part of the import package.
_PACKAGING = ["/pyproject.toml", "/setup.py", "/setup.cfg", "/requirements*.txt", "/README*", "/CHANGELOG*"]
_PACKAGING += ["/MANIFEST.in", "/PKG-INFO", "/dist", "/build", "/*.egg-info"]
# Never shipped, in the wheel or the sdist: tests and caches (helper packages such as test_utils/ are kept).
_NEVER = ["test_*.py", "*_test.py", "conftest.py", "tests/", "__pycache__/", "*.py[cod]", ".pytest_cache/"]
_IGNORED = (".ytc-release/", "dist/")
LIBRARY_GITIGNORE = "__pycache__/\n*.py[cod]\n.pytest_cache/\n*.egg-info/\nbuild/\ndist/\n"


@dataclass
class InitPlan:
    root: Path
    library: str
    distribution: str
    import_names: list[str]
    version_file: str
    services: list[str]  # globs
    found_services: dict[str, str]  # service -> how it was recognised
    writes: dict[Path, tuple[str, str]] = field(default_factory=dict)
    removes: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def library_pyproject(
    declared: Declared, distribution: str, import_name: str, version: str | None, readme: str | None
) -> str:
    """A PEP 621 pyproject.toml (hatchling) for a flat library folder that is its own import package."""
    lines = [
        "# Written by `ytc-release init` from setup.py: the library's one packaging file.",
        "[build-system]",
        'requires = ["hatchling>=1.25"]',
        'build-backend = "hatchling.build"',
        "",
        "[project]",
        f"name = {json.dumps(distribution)}",
    ]
    lines.append(f"version = {json.dumps(version)}" if version else 'dynamic = ["version"]')
    if declared.description:
        lines.append(f"description = {json.dumps(declared.description)}")
    if readme:
        lines.append(f"readme = {json.dumps(readme)}")
    if declared.requires_python:
        lines.append(f"requires-python = {json.dumps(declared.requires_python)}")
    if declared.author:
        lines.append(f"authors = [{{ name = {json.dumps(declared.author)} }}]")
    if declared.classifiers:
        lines.append("classifiers = [\n" + "".join(f"    {json.dumps(c)},\n" for c in declared.classifiers) + "]")
    lines.append("dependencies = [\n" + "".join(f"    {json.dumps(d)},\n" for d in declared.dependencies) + "]")
    if not version:
        lines += [
            "",
            "[tool.hatch.version]",
            "# The one place the version lives; `ytc-release bump` rewrites it.",
            'path = "__init__.py"',
        ]
    lines += [
        "",
        "[tool.hatch.build]",
        "# Tests and caches never ship; test helper packages (test_utils/) do.",
        f"exclude = {_toml_list(_NEVER)}",
        "",
        "[tool.hatch.build.targets.wheel]",
        f"# The folder itself is the import package `{import_name}`: every file below it, less the packaging.",
        'include = ["/**"]',
        f"exclude = {_toml_list(_NEVER + _PACKAGING)}",
        "",
        "[tool.hatch.build.targets.wheel.sources]",
        f'"" = {json.dumps(import_name)}',
        "",
    ]
    return "\n".join(lines)


def table_text(plan: InitPlan, test_modules: int) -> str:
    lines = [
        "",
        "# What `ytc-release` releases and pins in this repository (written by `ytc-release init`).",
        "[tool.ytc-release]",
        f"library = {json.dumps(plan.library)}",
        f"distribution = {json.dumps(plan.distribution)}",
        f"import-names = {_toml_list(plan.import_names)}",
        f"version-file = {json.dumps(plan.version_file)}",
        f"services = {_toml_list(plan.services)}",
    ]
    if test_modules:
        lines += [
            f"# The library has {test_modules} test module(s); a release runs them once this names a command that does",
            "# (run from the repository root, in an environment with the library's dependencies), e.g.:",
            f'# tests = ["{{python}}", "-m", "pytest", "-q", "{plan.library}"]',
        ]
    lines += [
        f"# index-home = {json.dumps(project_table.DEFAULT_INDEX_HOME)}  # the embedded index's data (gitignored)"
    ]
    return "\n".join(lines) + "\n"


def _tracked_and_clean(root: Path, path: Path) -> bool:
    """Whether git can give ``path`` back exactly as it is now."""
    rel = os.path.relpath(path, root)
    tracked = run(["git", "-C", root, "ls-files", "--error-unmatch", "--", rel], merge_stderr=False)
    if tracked.returncode != 0:
        return False
    return run(["git", "-C", root, "diff", "--quiet", "HEAD", "--", rel]).returncode == 0


def _count_tests(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*.py") if is_test_or_cache(p.relative_to(folder).as_posix()))


def _import_names(folder: Path, declared: Declared, copied_as: str | None) -> list[str]:
    if declared.import_names:
        return list(declared.import_names)
    if (folder / "__init__.py").is_file():
        return [copied_as or folder.name]
    for base in (folder / "src", folder):
        found = sorted(p.parent.name for p in base.glob("*/__init__.py") if not is_test_or_cache(p.parent.name + "/"))
        if found:
            return found
    return []


def plan_init(
    root: Path,
    *,
    library: str | None = None,
    distribution: str | None = None,
    import_name: str | None = None,
) -> InitPlan:
    root = root.resolve()
    if project_table.read_table(root) is not None:
        raise ProjectConfigError(
            f"{root / project_table.PYPROJECT} already has a [{project_table.TABLE}] table",
            "edit it by hand (`ytc-release status` shows what it finds), or delete it to run `init` again",
        )
    folder, copied_as, _ = detect.detect(root, library=library)
    declared = read_library(folder)
    rel = folder.relative_to(root).as_posix()
    name = distribution or declared.name
    if not name:
        raise ProjectConfigError(f"{rel}/{declared.source} does not name its distribution", "pass --distribution NAME")
    names = [import_name] if import_name else _import_names(folder, declared, copied_as)
    if not names:
        raise ProjectConfigError(f"cannot tell the import package of {rel}/", "pass --import-name NAME")
    services, why = detect.find_services(root, folder, {folder.name, "common", *(n for n in [copied_as] if n)}, name)
    plan = InitPlan(root, rel, name, names, "", detect.service_globs(root, services), {})
    plan.found_services = {s.relative_to(root).as_posix(): why[s] for s in services}
    if not services:
        plan.notes.append("no service folder uses the library yet; set `services` in the table when there are some")

    if declared.source != "pyproject.toml":
        plan.version_file = _plan_library_pyproject(plan, folder, declared, names[0])
    else:
        default = project_table.default_version_file(root, rel)
        init_version = folder / "src" / names[0] / "__init__.py"
        plan.version_file = default or (init_version.relative_to(root).as_posix() if init_version.is_file() else "")
        if not plan.version_file:
            raise ProjectConfigError(
                f"{rel}/pyproject.toml has neither a static version nor [tool.hatch.version] path",
                "give [project] a static version, or point [tool.hatch.version] path at the module with __version__",
            )
        if import_name and import_name not in (declared.import_names or [import_name]):
            plan.notes.append(
                f"--import-name {import_name}: {rel}/pyproject.toml already builds {declared.import_names}; "
                "rename the package there too"
            )

    pyproject = root / project_table.PYPROJECT
    old = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    separator = "" if not old or old.endswith("\n") else "\n"
    plan.writes[pyproject] = (
        old,
        old + separator + table_text(plan, _count_tests(folder)).lstrip("\n" if not old else ""),
    )
    _plan_gitignore(plan)
    return plan


def _plan_library_pyproject(plan: InitPlan, folder: Path, declared: Declared, import_name: str) -> str:
    """A setup.py library gets its pyproject.toml; returns the version source."""
    rel = plan.library
    if declared.unread:
        plan.notes.append(
            f"{rel}/{declared.source}: could not read {', '.join(declared.unread)} without running it; "
            f"check {rel}/pyproject.toml"
        )
    if not declared.folder_is_package:
        raise ProjectConfigError(
            f"{rel}/{declared.source} does not install the folder itself as one package (package_dir = {{'NAME': '.'}})",
            f"write {rel}/pyproject.toml by hand (PEP 621, any backend), then run `init` again",
        )
    in_init = version_in_init(folder)
    if in_init and declared.version and in_init != declared.version:
        raise ProjectConfigError(
            f"{rel}/{declared.source} says version {declared.version} but {rel}/__init__.py says {in_init}",
            "make them agree, then run `init` again (the pyproject.toml it writes keeps one source)",
        )
    if not in_init and not declared.version:
        raise ProjectConfigError(f"{rel}/{declared.source} declares no version", "add one, then run `init` again")
    readme = next((p.name for p in sorted(folder.glob("README*")) if p.suffix.lower() in {".md", ".rst", ".txt"}), None)
    text = library_pyproject(declared, plan.distribution, import_name, None if in_init else declared.version, readme)
    plan.writes[folder / "pyproject.toml"] = ("", text)
    if not (folder / ".gitignore").is_file():
        # hatchling ships the nearest .gitignore in the sdist: the library's own keeps the repository's
        # (which changes with everything else) out of its bytes.
        plan.writes[folder / ".gitignore"] = ("", LIBRARY_GITIGNORE)
    plan.notes.append(
        f"{rel}/pyproject.toml written from {declared.source}: {plan.distribution}, import package "
        f"`{import_name}`, {len(declared.dependencies)} dependencies, built by hatchling (reproducible)"
    )
    for leftover in ("setup.py", "setup.cfg"):
        path = folder / leftover
        if not path.is_file():
            continue
        if _tracked_and_clean(plan.root, path):
            plan.removes.append(path)
            plan.notes.append(
                f"{rel}/{leftover} removed: it repeated the version (`git checkout -- {rel}/{leftover}` restores it)"
            )
        else:
            plan.notes.append(
                f"{rel}/{leftover} kept: git could not restore it (untracked or changed); delete it once "
                "pyproject.toml is committed, it repeats the version"
            )
    return f"{rel}/__init__.py" if in_init else f"{rel}/pyproject.toml"


def _plan_gitignore(plan: InitPlan) -> None:
    path = plan.root / ".gitignore"
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    present = {line.strip() for line in old.splitlines()}
    missing = [p for p in _IGNORED if p not in present and f"/{p}" not in present]
    if missing:
        head = "" if not old or old.endswith("\n") else "\n"
        new = (
            old
            + head
            + "# ytc-release: the embedded index's data, and built distributions\n"
            + "\n".join(missing)
            + "\n"
        )
        plan.writes[path] = (old, new)


def diff(plan: InitPlan) -> str:
    out: list[str] = []
    for path, (old, new) in plan.writes.items():
        rel = path.relative_to(plan.root).as_posix()
        out += difflib.unified_diff(old.splitlines(True), new.splitlines(True), f"a/{rel}", f"b/{rel}")
    for path in plan.removes:
        out.append(f"deleted: {path.relative_to(plan.root).as_posix()}\n")
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def apply(plan: InitPlan) -> project_table.Project:
    """Write the plan, then read the table back as every command will; on any failure, undo."""
    saved = {path: path.read_bytes() if path.is_file() else None for path in [*plan.writes, *plan.removes]}
    try:
        for path, (_, new) in plan.writes.items():
            path.write_text(new, encoding="utf-8")
        for path in plan.removes:
            path.unlink()
        return project_table.load(plan.root)
    except (OSError, ReleaseError):
        for path, data in saved.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(data)
        raise
