"""`ytc-release publish`: publish the files already in dist/ (CI's publish job
downloads them as an artifact and never rebuilds), then verify."""

from __future__ import annotations

import argparse

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction, repo_help: str) -> None:
    p = sub.add_parser("publish", help="publish the files already in dist/ (CI's publish job), then verify")
    p.add_argument("--repository", help=repo_help)
    p.add_argument("--version", help="the version whose files to publish (default: the source version)")
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
        version=args.version,
        lock_python=settings.lock_python,
        allow_dirty=args.allow_dirty,
    )
    done = run_steps(plans.PUBLISH_BUILT, ctx)
    summary.summary(ctx, done)
    summary.next_steps_after_publish(ctx, done)
    return 0
