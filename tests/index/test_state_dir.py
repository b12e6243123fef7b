"""The index's own state lives beside the package folder, never in it; an older
index's state files are moved over at start, and never lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.index import make_wheel
from ytc_index.app import create_app
from ytc_index.settings import IndexSettings
from ytc_index.state import JOURNAL, PRIVATE_NAMES, YANKED, StateConflict, migrate_state, state_dir_for

OLD = {".ytc-private-projects": "ytcaption-common\n", ".ytc-uploads": '{"op": "upload"}\n', ".ytc-yanked": "{}\n"}


def settings(tmp_path: Path) -> IndexSettings:
    htpasswd = tmp_path / "auth" / "htpasswd"
    htpasswd.parent.mkdir()
    htpasswd.touch()
    return IndexSettings(packages=tmp_path / "packages", htpasswd=htpasswd)


def test_a_new_index_keeps_nothing_of_its_own_in_the_package_folder(tmp_path: Path) -> None:
    config = settings(tmp_path)
    make_wheel(config.packages)
    create_app(config)
    assert config.state == tmp_path / "state"
    assert sorted(p.name for p in config.packages.iterdir()) == ["ytcaption_common-1.0.0-py3-none-any.whl"]
    assert (config.state / PRIVATE_NAMES).is_file()


def test_an_older_index_state_is_moved_over_at_start(tmp_path: Path) -> None:
    config = settings(tmp_path)
    config.packages.mkdir()
    for name, text in OLD.items():
        (config.packages / name).write_text(text)
    (config.packages / ".ytc-upload.lock").touch()
    create_app(config)
    assert list(config.packages.iterdir()) == []
    assert (config.state / PRIVATE_NAMES).read_text() == OLD[".ytc-private-projects"]
    assert (config.state / JOURNAL).read_text() == OLD[".ytc-uploads"]
    assert (config.state / YANKED).read_text() == OLD[".ytc-yanked"]


def test_state_in_both_places_is_refused_and_nothing_moves(tmp_path: Path) -> None:
    packages, state = tmp_path / "packages", tmp_path / "state"
    packages.mkdir()
    state.mkdir()
    (packages / ".ytc-uploads").write_text("old\n")
    (packages / ".ytc-yanked").write_text("old yank\n")
    (state / JOURNAL).write_text("new\n")
    with pytest.raises(StateConflict, match=r"exists twice: .*\.ytc-uploads and .*uploads\.jsonl"):
        migrate_state(packages, state)
    assert (packages / ".ytc-uploads").read_text() == "old\n"
    assert (packages / ".ytc-yanked").exists() and not (state / YANKED).exists()
    assert (state / JOURNAL).read_text() == "new\n"


def test_the_state_folder_is_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packages = tmp_path / "packages"
    assert state_dir_for(packages, {}) == tmp_path / "state"
    assert state_dir_for(packages, {"YTC_INDEX_STATE_DIR": "/srv/x"}) == Path("/srv/x")
    env = {"YTC_INDEX_PACKAGES": str(packages), "YTC_INDEX_STATE_DIR": str(tmp_path / "elsewhere")}
    assert IndexSettings.from_env(env).state == tmp_path / "elsewhere"
