"""`ytc-release build`: wheel + sdist of the configured library into dist/, checked."""

from __future__ import annotations

import argparse

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("build", help="build wheel + sdist of the library into dist/ and check them")
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.pipeline.build import build
    from ytc_release.pipeline.check import check_artifacts
    from ytc_release.version import read_version

    lay = settings.lay
    version = read_version(lay.version_file)
    report = settings.report
    with report.step(f"build {lay.project.distribution} {version}"):
        artifacts = build(lay.library, lay.dist, lay.root, settings.source_date_epoch)
    with report.step("check (twine check --strict, wheel contents)"):
        check_artifacts(artifacts, lay.project, version, lay.library)
        report.detail("imports are checked by `release` and `publish` (they install the dependencies from the index)")
    for artifact in artifacts:
        report.say(f"{artifact.sha256}  dist/{artifact.name}")
    return 0
