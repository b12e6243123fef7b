"""`ytc-release migrate`: turn a service folder that carries a copied `common/`
into one that installs ytcaption-common from the index.

Every change is planned in memory first (file -> new text, folders to delete);
`--dry-run` prints the plan as a unified diff, otherwise it is written. A copy
that differs from its repository's master `common/` is refused (nothing in that
folder changes) unless `--force`: local changes must never be lost silently."""

from __future__ import annotations

import contextlib
import difflib
import filecmp
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ytc_release.errors import MigrateError, ReleaseError
from ytc_release.migration import dockerignore, layout
from ytc_release.migration import edits as migrate_edits
from ytc_release.migration.compose import ComposeError, add_pipconf_secret, rebase_compose
from ytc_release.migration.imports import rewrite_imports
from ytc_release.paths import Layout
from ytc_release.project import Project
from ytc_release.services import locking
from ytc_release.services.pins import dockerfiles, is_service
from ytc_release.target import IndexTarget
from ytc_release.toolkit import dockerfile
from ytc_release.toolkit.report import Reporter

if TYPE_CHECKING:
    from ytc_release.settings import Settings

# The wheel's requires-python floor (common/pyproject.toml).
MIN_PYTHON = (3, 10)
_NOT_SOURCE = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".pytest_cache", "build", "dist"}
_NOT_COMPARED = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
_NOT_COMPARED_SUFFIXES = (".pyc", ".pyo", ".egg-info")


@dataclass
class Plan:
    folder: Path
    writes: dict[Path, tuple[str, str]] = field(default_factory=dict)  # path -> (old, new)
    deletes: list[Path] = field(default_factory=list)  # copied common/ folders
    done: list[str] = field(default_factory=list)  # what the plan changes, for the summary
    manual: list[str] = field(default_factory=list)  # "file:line: ..." left to the user
    refused: list[str] = field(default_factory=list)  # why nothing may change

    @property
    def empty(self) -> bool:
        return not self.writes and not self.deletes


def show(path: Path) -> str:
    """A path as the user typed it: relative to the working directory when below it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def copies_in(folder: Path) -> list[Path]:
    return [p for p in (folder / "common", folder / "app" / "common") if p.is_dir()]


def repository_top(folder: Path) -> Path:
    """The folder holding .git above ``folder``; else the filesystem root."""
    for parent in (folder, *folder.parents):
        if (parent / ".git").exists():
            return parent
    return Path(folder.anchor)


def master_common(folder: Path, import_name: str) -> Path | None:
    """The nearest `common/` in a folder above the service, within its repository."""
    top = repository_top(folder)
    for parent in folder.parents:
        if (parent / "common" / "src" / import_name).is_dir():  # this repository: the library's source is the master
            return parent / "common" / "src" / import_name
        if (parent / "common").is_dir():
            return parent / "common"
        if parent == top:
            break
    return None


def _files_below(folder: Path) -> set[str]:
    found = set()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d not in _NOT_COMPARED and not d.endswith(_NOT_COMPARED_SUFFIXES)]
        for name in filenames:
            if not name.endswith(_NOT_COMPARED_SUFFIXES):
                found.add((Path(dirpath) / name).relative_to(folder).as_posix())
    return found


def local_changes(copy: Path, master: Path) -> list[str]:
    """Files of the copy that the master does not have byte for byte (changed, or only in the copy).
    Files only in the master are not a loss: the copy is merely older."""
    mine, theirs = _files_below(copy), _files_below(master)
    differing = []
    for rel in sorted(mine):
        if rel not in theirs:
            differing.append(f"{rel} (only in the copy)")
        elif not filecmp.cmp(copy / rel, master / rel, shallow=False):
            differing.append(f"{rel} (differs from {show(master / rel)})")
    return differing


def source_files(folder: Path, skip: list[Path]) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in _NOT_SOURCE and here / d not in skip)
        found += [here / n for n in sorted(filenames)]
    return found


def _base_image_notes(path: Path, text: str, name: str) -> list[str]:
    notes = []
    for line, image in dockerfile.base_images(dockerfile.parse(text)):
        version = dockerfile.base_image_python(image)
        floor = ".".join(map(str, MIN_PYTHON))
        if version is None:
            notes.append(f"{show(path)}:{line}: base image {image}: cannot tell its Python; {name} needs >= {floor}")
        elif version < MIN_PYTHON:
            notes.append(
                f"{show(path)}:{line}: base image {image} has Python {version[0]}.{version[1]}; {name} needs "
                f">= {floor}: move to a newer image (e.g. python:3.11-slim)"
            )
    return notes


def copy_scripts(folder: Path) -> list[Path]:
    """distribute_common.sh anywhere in the service's repository (outside git: beside and below its parent)."""
    top = repository_top(folder)
    if top == Path(folder.anchor):
        top = folder.parent
    found = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if d not in _NOT_SOURCE and d != "common"]
        found += [Path(dirpath) / n for n in filenames if n == "distribute_common.sh"]
    return sorted(found)


def plan_service(
    folder: Path, version: str, project: Project, *, root: Path | None = None, force: bool = False
) -> Plan:
    """Every change for one service folder. ``root``: the repository whose table names the library
    (the services' own, or the checkout this tool runs from)."""
    plan = Plan(folder)
    name = project.distribution
    names = layout.library_names(project)
    copies = copies_in(folder)
    master = master_common(folder, project.import_names[0])
    for copy in copies:
        if master is None:
            plan.done.append(f"{show(copy)}/: no master common/ above it to compare with (it stays in git history)")
            continue
        differing = local_changes(copy, master)
        if differing and not force:
            plan.refused += [f"{show(copy)}/{d}" for d in differing]
        elif differing:
            plan.done.append(f"{show(copy)}/: {len(differing)} file(s) differ from {show(master)}/ (--force: deleted)")
    if plan.refused:
        return plan
    for copy in copies:
        plan.deletes.append(copy)
        plan.done.append(f"delete {show(copy)}/ ({len(_files_below(copy))} files)")

    root = root or repository_top(folder)
    top = root if folder.is_relative_to(root) else repository_top(folder)
    library = root / project.library
    files = source_files(folder, copies)
    composes = [p for p in files if p.suffix in {".yml", ".yaml"} and "compose" in p.name]
    contexts: dict[Path, Path] = {}  # Dockerfile -> the build context a compose file gave it
    compose_edits = {}
    for path in composes:
        text = path.read_text(encoding="utf-8")
        try:
            compose_edits[path] = rebase_compose(text, path, folder, library)
        except ComposeError as err:
            plan.manual.append(f"{show(path)}: {err}; move its builds to the service folder by hand")
            continue
        contexts.update(compose_edits[path].old_contexts)

    installed: set[Path] = {folder / "requirements.txt"}
    old_roots: set[Path] = set()
    for path in dockerfiles_of(folder, copies):
        text = path.read_text(encoding="utf-8")
        try:
            context = contexts.get(path) or layout.inferred_context(text, folder, top, project.library)
            prefix = folder.relative_to(context).as_posix() if context != folder else ""
            rules = migrate_edits.Rules(names=names, prefix=prefix, lock=bool(prefix) or path.parent != folder)
            edit = migrate_edits.edit_dockerfile(text, rules)
        except Exception as err:  # the parser's own errors carry no common base class
            plan.manual.append(f"{show(path)}: could not be parsed ({err}); migrate it by hand")
            continue
        if prefix:
            old_roots.add(context)
        _write(plan, path, text, edit.text, edit.notes)
        plan.manual += [f"{show(path)}:{m.removeprefix('line ')}" for m in edit.manual]
        plan.manual += _base_image_notes(path, text, name)
        plan.manual += _source_notes(path, edit, folder, context)
        plan.manual += [
            f"{show(path)}:{line}: PYTHONPATH entry {entry} only reached the copy of the library (removed); drop it"
            for line, entry in edit.pythonpath
        ]
        # a file made inside the image (/tmp/req-clean.txt from requirements.txt) has no copy here to pin
        installed |= {_in_context(folder, s) for s in edit.requirement_files if not s.startswith("/")}
    for path in files:
        if path.name.startswith("requirements") and path.suffix == ".txt":
            text = path.read_text(encoding="utf-8")
            new, notes = migrate_edits.pin_requirements(
                text, version, must_pin=path in installed, distribution=name, names=names
            )
            _write(plan, path, text, new, notes)
    for missing in sorted(p for p in installed if not p.exists()):
        plan.manual.append(f"{show(missing)}: installed by a Dockerfile but not in the folder; pin {name} there")
    for path, rebased in compose_edits.items():
        old = path.read_text(encoding="utf-8")
        plan.manual += [f"{show(path)}:{m.removeprefix('line ')}" for m in rebased.manual]
        try:
            new, services = add_pipconf_secret(rebased.text)
        except ComposeError as err:
            plan.manual.append(f"{show(path)}: {err}; add the `pipconf` build secret by hand")
            continue
        notes = rebased.notes + ([f"`pipconf` build secret for {', '.join(services)}"] if services else [])
        _write(plan, path, old, new, notes)
    _plan_dockerignore(plan, folder, sorted(old_roots))
    _plan_python(plan, folder, files, project, root, names)
    plan.manual += [
        f"{show(s)}:1: copies common/ into services; delete it (services install {name})" for s in copy_scripts(folder)
    ]
    return plan


def dockerfiles_of(folder: Path, copies: list[Path]) -> list[Path]:
    """The service's Dockerfiles, at its top or below it (docker/Dockerfile.gpu), outside its copies."""
    return [p for p in dockerfiles(folder) if not any(p.is_relative_to(c) for c in copies)]


def _source_notes(path: Path, edit: migrate_edits.DockerfileEdit, folder: Path, context: Path) -> list[str]:
    """COPY sources the build cannot find once the service folder is its context: missing ones, and ones
    outside the folder (they existed only in the old, larger context)."""
    notes = []
    for line, source in edit.outside:
        if layout.source_exists(context, source):
            notes.append(
                f"{show(path)}:{line}: COPY {source} comes from outside the service folder; move it into "
                f"{show(folder)} (or drop the COPY): the build context is now the service folder"
            )
        else:
            notes.append(
                f"{show(path)}:{line}: COPY source {source} does not exist (not in the old build context "
                f"{show(context)} either); "
                "the build fails here: add it or remove the COPY"
            )
    for line, source in edit.sources:
        if not layout.source_exists(folder, source):
            notes.append(
                f"{show(path)}:{line}: COPY source {source} does not exist in {show(folder)}; "
                "the build fails here: add it or remove the COPY"
            )
    return notes


def _plan_dockerignore(plan: Plan, folder: Path, old_roots: list[Path]) -> None:
    """The .dockerignore of each old build context, carried to the service folder; a .dockerignore below
    the folder (beside a Dockerfile in docker/) is pointed out: a build reads only its context's."""
    target = folder / ".dockerignore"
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    text = current
    for old in old_roots:
        source = old / ".dockerignore"
        if not source.is_file():
            continue
        carried = dockerignore.carry(
            source.read_text(encoding="utf-8"), folder.relative_to(old).as_posix(), dockerignore.root_names(old)
        )
        merged = dockerignore.merge(text, carried.patterns, show(source))
        if merged is not None:
            text = merged
            plan.done.append(
                f"{show(target)}: carried {len(carried.patterns)} pattern(s) of {show(source)} "
                f"({len(carried.dropped)} for other folders dropped: {', '.join(carried.dropped) or 'none'})"
            )
    if text is not None and text != current:
        plan.writes[target] = (current or "", text)
    for other in sorted(folder.rglob(".dockerignore")):
        if other != target and other.parent.name != "node_modules":
            plan.manual.append(
                f"{show(other)}:1: a build reads only the .dockerignore at its context's root ({show(target)}); "
                "this one applied neither before nor now: move the patterns you want into it"
            )


def _plan_python(plan: Plan, folder: Path, files: list[Path], project: Project, root: Path, names: tuple) -> None:
    """Imports (rewritten only when the library's import name is not the copy's), sys.path edits, modules the
    library lacks, and tests that assert the old layout."""
    name = project.distribution
    new = project.import_names[0]
    has = layout.module_checker(root, project)
    for path in files:
        if path.suffix != ".py":
            continue
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        result = rewrite_imports(text, dockerfile.COPY_NAME, new)
        if result.error:
            plan.manual.append(f"{show(path)}: {result.error}")
        plan.manual += [
            f"{show(path)}:{line}: edits sys.path (it reached a copy of the library?); remove it if it only did that"
            for line in result.syspath_lines
        ]
        plan.manual += [
            f"{show(path)}:{line}: imports {module}, which the {name} installed here does not have"
            for line, module in result.modules
            if not has(module)
        ]
        if layout.is_test_file(path.relative_to(folder)):
            plan.manual += [
                f"{show(path)}:{line}: this test asserts the old layout ({value.strip()[:60]!r}); "
                f"update it: the service now installs {name} from the index"
                for line, value in layout.old_layout_asserts(text, names)
            ]
        if result.changed_lines:
            lines = ", ".join(map(str, result.changed_lines))
            _write(plan, path, text, result.text, [f"imports {new} (lines {lines})"])


def _in_context(folder: Path, source: str) -> Path:
    """A file a Dockerfile copies, found in the service folder or, for a build context above it
    (`COPY orchestrator/requirements-docker.txt ...` from the repository root), in a parent."""
    relative = source.lstrip("/") if source.startswith("/") else source
    for base in (folder, *folder.parents):
        if (base / relative).is_file() and (base / relative).resolve().is_relative_to(folder):
            return (base / relative).resolve()
        if base == repository_top(folder):
            break
    return folder / Path(relative).name


def _write(plan: Plan, path: Path, old: str, new: str, notes: list[str]) -> None:
    if new != old:
        plan.writes[path] = (old, new)
        plan.done += [f"{show(path)}: {n}" for n in notes] or [f"{show(path)}: rewritten"]


def diff(plan: Plan) -> str:
    out = []
    for copy in plan.deletes:
        out.append(f"deleted: {show(copy)}/ ({len(_files_below(copy))} files)\n")
    for path, (old, new) in plan.writes.items():
        rel = show(path)
        out += difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"
        )
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def apply(plan: Plan) -> None:
    for path, (_, new) in plan.writes.items():
        path.write_text(new, encoding="utf-8", errors="surrogateescape")
    for copy in plan.deletes:
        shutil.rmtree(copy)


def tool_layout(settings: Settings) -> Layout | None:
    """The ytcaption checkout migrate and smoke read the version and the embedded index from: the one
    around the working directory, else the one this tool runs from, since the services usually live in
    their own repository (YTC_REPO_ROOT names it explicitly)."""
    with contextlib.suppress(ReleaseError):
        return settings.layout_at()
    with contextlib.suppress(ReleaseError):
        return settings.layout_at(Path(__file__).resolve().parent)
    return None


def index_target(settings: Settings) -> IndexTarget | None:
    """The configured index, or the embedded one of `tool_layout()` when it runs."""
    from ytc_release.target import resolve_configured

    lay = tool_layout(settings)
    return resolve_configured(settings.config) if lay is None else settings.index(lay=lay)


def lock_converted(folder: Path, version: str, name: str, settings: Settings, dry_run: bool, report: Reporter) -> None:
    """A hash lock for a converted service, and what its Dockerfile still needs to install it."""
    from ytc_release.index.client import published_versions

    if dry_run:
        report.detail(f"would compile {locking.LOCK_FILE} (hash-locked) from requirements.txt")
        return
    target = index_target(settings)
    if target is None or version not in published_versions(target, name):
        where = "no index is configured or running" if target is None else f"{version} is not on the index yet"
        report.detail(f"{locking.LOCK_FILE} not compiled: {where}; release it, then `ytc-release lock {show(folder)}`")
        return
    try:
        changed = locking.lock_service(folder, target, python_fallback=settings.lock_python)
    except ReleaseError as err:
        report.detail(f"{locking.LOCK_FILE} not compiled: {err.problem} ({err.fix})")
        return
    report.detail(
        f"{locking.LOCK_FILE} {'compiled' if changed else 'already current'} (every dependency with its hashes)"
    )
    python = locking.read_header((folder / locking.LOCK_FILE).read_text(encoding="utf-8"))
    for path in dockerfiles(folder):
        for line in dict.fromkeys(locking.installs_without_hashes(path)):  # one line per RUN
            report.detail(
                f"do by hand: {show(folder)}/{line}: install {locking.LOCK_FILE} instead "
                "(`pip install --require-hashes -r requirements.lock`, COPY it in first)"
            )
        image = dockerfile.image_python(dockerfile.parse_file(path))
        known = python is not None and image is not None and image != dockerfile.UNSPECIFIED_PYTHON
        if known and f"{image[0]}.{image[1]}" != python.python:
            report.detail(
                f"do by hand: {show(path)} runs Python {image[0]}.{image[1]}, {locking.LOCK_FILE} is for "
                f"{python.python}: one lock serves one Python"
            )


def default_version(settings: Settings, name: str, report: Reporter) -> str:
    """The newest ytcaption-common on the configured index (or the running embedded one); else this
    repository's source version, said so, since it may not be published yet."""
    from packaging.version import Version

    from ytc_release.index.client import published_versions
    from ytc_release.version import read_version

    lay = tool_layout(settings)
    target = index_target(settings)
    if target is not None:
        versions = published_versions(target, name)
        if versions:
            newest = max(versions, key=Version)
            report.say(f"version: {newest}, the newest {name} on {target.describe()}")
            return newest
    if lay is None:
        raise MigrateError(
            f"no index holds {name} and no repository with a [tool.ytc-release] table is here to read its version from",
            "pass --version X.Y.Z, or configure the index (TWINE_REPOSITORY_URL), or set YTC_REPO_ROOT "
            "to the ytcaption checkout whose embedded index runs (`make index-up` there)",
        )
    version = read_version(lay.version_file)
    where = "the index has none" if target is not None else "no index is configured or running"
    report.say(f"version: {version}, the source version ({where}: release it before building images)")
    return version


def migrate(
    folders: list[Path], report: Reporter, *, version: str | None, dry_run: bool, force: bool, settings: Settings
) -> int:
    for folder in folders:
        if not is_service(folder):
            above = next((p for p in folder.resolve().parents if is_service(p)), None)
            raise MigrateError(
                f"{show(folder)} is not a service folder (it needs a requirements.txt and a Dockerfile at or "
                "below its top)",
                f"pass {show(above)}, the service folder above it"
                if above is not None
                else "pass the folder that holds the service's requirements.txt (its Dockerfiles may be in docker/)",
            )
    lay = tool_layout(settings)
    if lay is None:
        raise MigrateError(
            "no repository with a [tool.ytc-release] table around the working directory: migrate needs to "
            "know the library the services will install",
            "run `ytc-release init` at the repository's root first (or set YTC_REPO_ROOT)",
        )
    project = lay.project
    version = version or default_version(settings, project.distribution, report)
    refused = []
    for folder in folders:
        plan = plan_service(folder.resolve(), version, project, root=lay.root, force=force)
        report.say(f"== {show(folder)}")
        if plan.refused:
            refused.append(show(folder))
            report.say(f"   REFUSED: its copy of common carries local changes; nothing in {show(folder)} was changed:")
            for item in plan.refused:
                report.detail(item)
            report.detail("keep them (move them into the master common/ and release) or pass --force to drop them")
            continue
        if plan.empty:
            report.say(f"   nothing to change: it already installs {project.distribution} from the index")
        else:
            if dry_run:
                print(diff(plan), end="", flush=True)
            else:
                apply(plan)
            report.say(f"   {'would change' if dry_run else 'changed'}:")
            for item in plan.done:
                report.detail(item)
        if plan.manual:
            report.say("   not changed, do by hand:")
            for item in plan.manual:
                report.detail(item)
        report.say("   lock:")
        lock_converted(folder.resolve(), version, project.distribution, settings, dry_run, report)
    if dry_run:
        report.say("dry run: nothing was written")
    done = [show(f) for f in folders if show(f) not in refused]
    if done:
        report.say(f"next: ytc-release smoke {' '.join(done)}   (installs from the index, starts it, GET /health)")
    if refused:
        raise MigrateError(f"refused {', '.join(refused)}: local changes in the copied common (listed above)")
    return 0
