"""`ytc-release`: a thin command line over the library in this package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ytc_release.commands import (
    build,
    bump,
    check,
    fleet,
    guard,
    images,
    index,
    init,
    lock,
    migrate,
    provenance,
    publish,
    release,
    smoke,
    status,
)
from ytc_release.errors import ReleaseError
from ytc_release.settings import EnvironmentDefault, Settings
from ytc_release.toolkit.masking import mask_secrets


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ytc-release", description=__doc__)
    parser.add_argument(
        "--cert",
        metavar="PATH",
        action=EnvironmentDefault,
        env="TWINE_CERT",
        help="CA bundle for an HTTPS index, as twine's --cert (same as TWINE_CERT)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    repo_help = "a repository of ~/.pypirc (as twine's --repository); default: TWINE_* or the embedded index"
    init.register(sub)
    build.register(sub)
    release.register(sub, repo_help)
    publish.register(sub, repo_help)
    bump.register(sub)
    status.register(sub, repo_help)
    check.register(sub, repo_help)
    guard.register(sub)
    images.register(sub)
    lock.register(sub, repo_help)
    fleet.register(sub)
    migrate.register(sub, repo_help)
    smoke.register(sub, repo_help)
    provenance.register(sub, repo_help)
    index.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(Settings.from_args(args), args))
    except ReleaseError as err:
        # The one place errors are printed: masked like everything else we print.
        print(mask_secrets(err.render()), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing after the last completed step was done", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
