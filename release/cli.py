"""`ytc-release`: a thin command line over the library in this package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from release.errors import ReleaseError
from release.paths import layout
from release.report import Reporter


def cmd_build(args: argparse.Namespace) -> int:
    from release.building import build
    from release.checking import check_artifacts
    from release.version import read_version

    lay = layout()
    version = read_version(lay.version_file)
    report = Reporter()
    with report.step(f"build ytcaption-common {version}"):
        artifacts = build(lay.common, lay.dist, lay.root)
    with report.step("check (twine check --strict, wheel contents)"):
        check_artifacts(artifacts, version, lay.common)
    for artifact in artifacts:
        report.say(f"{artifact.sha256}  dist/{artifact.name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ytc-release", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("build", help="build wheel + sdist of common/ into dist/ and check them").set_defaults(
        func=cmd_build
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ReleaseError as err:
        print(err.render(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing after the last completed step was done", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
