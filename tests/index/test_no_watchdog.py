"""create_app builds pypiserver without the stock backend's watchdog observer."""

from __future__ import annotations

import threading
from pathlib import Path

from tests.index.test_state_dir import settings
from ytc_index.app import create_app


def test_create_app_leaves_no_thread_behind(tmp_path: Path) -> None:
    """The stock backend's watchdog observer is never started (it served nothing)."""
    config = settings(tmp_path)
    before = threading.active_count()
    for _ in range(3):
        create_app(config)
    assert threading.active_count() == before
