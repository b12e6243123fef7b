"""`ytc-release provenance`: rebuild a released version from the commit its upload recorded
and compare the bytes with what the index serves."""

from __future__ import annotations

import argparse

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction, repo_help: str) -> None:
    p = sub.add_parser(
        "provenance",
        help="rebuild a version from its recorded commit and compare every file with what the index serves",
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("version", nargs="?", metavar="X.Y.Z", help="the version to check (default: the source version)")
    which.add_argument("--all", action="store_true", help="check every version on the index")
    p.add_argument("--repository", help=repo_help)
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.errors import ProvenanceError
    from ytc_release.index.client import version_of
    from ytc_release.provenance.prove import prove_version
    from ytc_release.provenance.served import served_files

    lay, report = settings.lay, settings.report
    target = settings.index()
    if target is None:
        raise ProvenanceError(
            "no index to check: none is configured and the embedded index is not running",
            "start it (`make index-up`), or set TWINE_REPOSITORY_URL or --repository",
        )
    name = lay.project.distribution
    served = served_files(target, lay.project.normalized)
    if args.all:
        versions = sorted({v for f in served.files if (v := version_of(f.filename))}, key=_version_key)
        if not versions:
            raise ProvenanceError(f"{target.describe()} holds no file of {name}", "publish a release first")
    else:
        from ytc_release.version import read_version

        versions = [args.version or read_version(lay.version_file)]
    if served.files and not served.keeps_records:
        report.say(
            f"note: {target.describe()} shows no provenance record for any file of {name} "
            "(an index that does not keep them, like stock pypiserver, cannot be checked this way)"
        )
    failed = 0
    for version in versions:
        report.say(f"{name} {version}:")
        for outcome in prove_version(lay, target, served, version, report):
            report.say(f"  {outcome.line()}")
            failed += not outcome.ok
    if failed:
        raise ProvenanceError(
            f"{failed} file(s) not reproduced from their recorded commit (lines above not marked `reproduced`)",
            "DIFFERS: the index serves bytes its commit does not build: find out who uploaded them "
            "(the index's upload journal) before anything installs them; NO RECORD: publish with "
            "`ytc-release release`/`publish`, which record the commit, or check the tag's commit by hand",
        )
    report.say(f"every file of {', '.join(versions)} was rebuilt from its recorded commit with identical bytes")
    return 0


def _version_key(version: str) -> object:
    from packaging.version import Version

    return Version(version)
