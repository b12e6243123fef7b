"""The podman engine the image tests share: installed when missing (root), configured with its
private state in .images/, and the local stand-in for python:3.11-slim loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from ytc_release.images.podman import Podman, ensure_base_image, ensure_installed


@pytest.fixture(scope="module")
def podman(repo_root: Path) -> Podman:
    ensure_installed()
    engine = Podman(repo_root / ".images")
    engine.configure()
    ensure_base_image(engine, repo_root / ".images" / "python-3.11-slim.tar")
    return engine
