"""`ytc-release images`: every service image built with podman from the index, and checked."""

from __future__ import annotations

import argparse

from ytc_release.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("images", help="build every service image with podman from the index and check it")
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.images.services import run_images

    return run_images(settings.lay, settings.report, settings.config, settings.source_date_epoch)
