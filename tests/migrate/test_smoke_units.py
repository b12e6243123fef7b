"""smoke's pieces that need no index: the index it picks, the app's environment, a CMD that cannot start,
the venv cache key."""

from __future__ import annotations

from pathlib import Path

import pytest

from release import migrate, smoke


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ("TWINE_REPOSITORY", "PIP_INDEX_URL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("TWINE_REPOSITORY_URL", "https://idx.example/legacy/")
    monkeypatch.setenv("TWINE_USERNAME", "uploader")
    monkeypatch.setenv("TWINE_PASSWORD", "s3cret-pw")
    monkeypatch.chdir(tmp_path)  # outside a ytcaption checkout


def test_smoke_installs_from_the_index_migrate_targets(configured: None) -> None:
    target = migrate.index_target(None)
    assert target is not None
    assert smoke.index_url(None) == target.simple_url_with_credentials()
    assert smoke.index_url(None).startswith("https://uploader:s3cret-pw@idx.example/")
