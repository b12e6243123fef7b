"""The release's caches: a source tree's digest and a folder filled once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ytc_release.toolkit.caches import cache_root, cached_dir, tree_digest


def _git_repo(root: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "lib").mkdir()
    (root / "lib/a.py").write_text("A = 1\n")
    (root / ".gitignore").write_text("*.log\n")
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    return root


def test_tree_digest_sees_every_edit_and_ignores_ignored_files(tmp_path: Path) -> None:
    root = _git_repo(tmp_path / "repo")
    first = tree_digest(root, ["lib"])
    assert first is not None and tree_digest(root, ["lib"]) == first  # stable
    (root / "lib/debug.log").write_text("noise")
    assert tree_digest(root, ["lib"]) == first  # ignored files do not count
    (root / "lib/a.py").write_text("A = 2\n")  # an uncommitted edit
    edited = tree_digest(root, ["lib"])
    assert edited != first
    (root / "lib/new.py").write_text("")  # an untracked file
    assert tree_digest(root, ["lib"]) not in (first, edited)
    (root / "lib/new.py").unlink()
    assert tree_digest(root, ["lib"]) == edited
    assert tree_digest(root, ["lib"], salt="another python") != edited


def test_tree_digest_counts_only_the_paths_asked_for(tmp_path: Path) -> None:
    root = _git_repo(tmp_path / "repo")
    before = tree_digest(root, ["lib"])
    (root / "elsewhere.txt").write_text("x")
    assert tree_digest(root, ["lib"]) == before


def test_tree_digest_is_none_outside_git(tmp_path: Path) -> None:
    assert tree_digest(tmp_path, ["."]) is None


def test_cached_dir_fills_once_and_refills_after_a_failed_fill(tmp_path: Path) -> None:
    calls: list[Path] = []

    def fill(path: Path) -> None:
        calls.append(path)
        (path / "made").write_text("yes")

    entry = tmp_path / "cache" / "key"
    assert cached_dir(entry, fill) is False
    assert cached_dir(entry, fill) is True
    assert calls == [entry] and (entry / "made").read_text() == "yes"

    def broken(path: Path) -> None:
        (path / "half").write_text("")
        raise RuntimeError("pip failed")

    other = tmp_path / "cache" / "other"
    with pytest.raises(RuntimeError):
        cached_dir(other, broken)
    assert cached_dir(other, fill) is False  # the half-filled folder was not trusted
    assert not (other / "half").exists() and (other / "made").exists()


def test_cache_root_honours_its_override_then_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("YTC_VERIFY_CACHE", raising=False)
    assert cache_root("verify", "YTC_VERIFY_CACHE") == tmp_path / "xdg/ytcaption/verify"
    monkeypatch.setenv("YTC_VERIFY_CACHE", str(tmp_path / "mine"))
    assert cache_root("verify", "YTC_VERIFY_CACHE") == tmp_path / "mine"
