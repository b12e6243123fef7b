"""Step 2, tests: the tests of common, once per source tree. A tree whose tests
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
from ytc_release.toolkit.caches import cache_root, tree_digest
from ytc_release.toolkit.runner import run_checked

# What decides whether the tests of common pass: the library, every test and its
# helpers, the conftest files, and the toolchain the tests run with.
TESTED_PATHS = ["common", "tests", "pyproject.toml", "requirements.lock"]


def tested_tree_key(lay: Layout) -> str | None:
    return tree_digest(lay.root, TESTED_PATHS, salt=f"{platform.python_implementation()} {sys.version}")


def passed_mark(key: str) -> Path:
    return cache_root("tests-passed", "YTC_TESTS_CACHE") / key


def run_common_tests(lay: Layout) -> None:
    run_checked(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", lay.common_tests],
        cwd=lay.root,
        error=TestsFailedError,
        what="the tests of common failed",
    )


def step(ctx: Context, done: Results) -> None:
    if ctx.skip_tests:
        ctx.report.detail("tests of common skipped (--skip-tests)")
        return
    key = tested_tree_key(ctx.lay)
    mark = passed_mark(key) if key is not None else None  # None outside git: nothing is cached
    if mark is not None and mark.exists():
        ctx.report.detail(f"tests of common passed before on this source tree ({mark.name[:12]}); not run again")
        return
    run_common_tests(ctx.lay)
    ctx.report.detail("tests of common pass")
    if mark is not None:
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()
