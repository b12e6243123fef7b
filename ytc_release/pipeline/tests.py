"""Step 2, tests: the library's tests (the `tests` command of [tool.ytc-release]), once per source tree. A tree whose tests
passed (same library, same tests, same toolchain, same Python) is not tested
again: an identical re-release takes seconds. Any edit, committed or not,
makes a new tree."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

from ytc_release.errors import TestsFailedError
from ytc_release.paths import Layout
from ytc_release.pipeline.steps import Context, Results
from ytc_release.project import PYTHON_PLACEHOLDER
from ytc_release.toolkit.caches import cache_root, tree_digest
from ytc_release.toolkit.runner import run_checked

# Besides the library and the folders its test command names: the toolchain the tests run with.
_TOOLCHAIN_FILES = ("pyproject.toml", "requirements.lock")


def library_test_command(lay: Layout) -> list[str]:
    return [sys.executable if arg == PYTHON_PLACEHOLDER else arg for arg in lay.project.tests]


def tested_paths(lay: Layout) -> list[str]:
    """What decides whether the tests pass: the library, the top folder of every path the test
    command names (with its conftest files and helpers), and the toolchain files."""
    named = {Path(arg).parts[0] for arg in lay.project.tests if not arg.startswith("-") and (lay.root / arg).exists()}
    paths = {lay.project.library, *named, *(f for f in _TOOLCHAIN_FILES if (lay.root / f).exists())}
    return sorted(paths)


def tested_tree_key(lay: Layout) -> str | None:
    salt = f"{platform.python_implementation()} {sys.version} {lay.project.tests}"
    return tree_digest(lay.root, tested_paths(lay), salt=salt)


def passed_mark(key: str) -> Path:
    return cache_root("tests-passed", "YTC_TESTS_CACHE") / key


def run_library_tests(lay: Layout) -> None:
    run_checked(library_test_command(lay), cwd=lay.root, error=TestsFailedError, what="the library's tests failed")


def step(ctx: Context, done: Results) -> None:
    if ctx.skip_tests:
        ctx.report.detail("tests of the library skipped (--skip-tests)")
        return
    if not ctx.lay.project.tests:
        ctx.report.detail("no tests configured (set `tests` in [tool.ytc-release] to run them before each release)")
        return
    key = tested_tree_key(ctx.lay)
    mark = passed_mark(key) if key is not None else None  # None outside git: nothing is cached
    if mark is not None and mark.exists():
        ctx.report.detail(f"the library's tests passed before on this source tree ({mark.name[:12]}); not run again")
        return
    run_library_tests(ctx.lay)
    ctx.report.detail("the library's tests pass")
    if mark is not None:
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()
