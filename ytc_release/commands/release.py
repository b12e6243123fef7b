"""`ytc-release release`: preflight, tests, build, check, publish, verify, pin."""

from __future__ import annotations

import argparse

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction, repo_help: str) -> None:
    p = sub.add_parser("release", help="preflight, tests, build, check, publish, verify, pin")
    p.add_argument("--dry-run", action="store_true", help="show what would happen; change nothing")
    p.add_argument("--repository", help=repo_help)
    p.add_argument("--skip-tests", action="store_true", help="do not run the tests of common (the tests step)")
    p.add_argument(
        "--allow-dirty",
        action="store_true",
        help="publish although the library has uncommitted changes (the upload's record says so; no tag)",
    )
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.pipeline import plans, summary
    from ytc_release.pipeline.steps import Context, run_steps

    ctx = Context(
        settings.lay,
        settings.report,
        config=settings.config,
        dry_run=args.dry_run,
        skip_tests=args.skip_tests,
        source_date_epoch=settings.source_date_epoch,
        lock_python=settings.lock_python,
        allow_dirty=args.allow_dirty,
    )
    done = run_steps(plans.DRY_RUN if args.dry_run else plans.RELEASE, ctx)
    if args.dry_run:
        summary.describe_dry_run(ctx, done)
    summary.summary(ctx, done)
    return 0
