"""The pages for people follow the simple pages: written with them, removed with them, and
never in the way of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.index import make_sdist, make_wheel
from ytc_index import people_pages
from ytc_index.pages import PageWriter

PROJECT = "ytcaption-common"


def writer(tmp_path: Path) -> tuple[PageWriter, Path, Path]:
    packages, state, static = tmp_path / "packages", tmp_path / "state", tmp_path / "static"
    state.mkdir(parents=True)
    make_wheel(packages / PROJECT, version="1.0.0")
    make_sdist(packages / PROJECT, version="1.0.0")
    return PageWriter(packages, state, static), packages, static


def test_written_and_removed_with_the_simple_pages(tmp_path: Path) -> None:
    pages, packages, static = writer(tmp_path)
    pages.rebuild()
    page = static / "project" / PROJECT / "index.html"
    assert f"{PROJECT}==1.0.0".encode() in page.read_bytes()
    assert b'href="project/ytcaption-common/"' in (static / "project" / "index.html").read_bytes()
    for file in (packages / PROJECT).iterdir():
        file.unlink()
    pages.sync_project(PROJECT)
    assert not page.exists() and not (static / "simple" / PROJECT).exists()
    assert b"No project has files here yet" in (static / "project" / "index.html").read_bytes()


def test_a_page_that_cannot_be_rendered_never_stops_the_simple_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> bytes:
        raise ValueError("a description the renderer chokes on")

    monkeypatch.setattr(people_pages, "render_project_page", broken)
    pages, _, static = writer(tmp_path)
    pages.rebuild()  # no exception: an upload in its place would succeed
    assert (static / "simple" / PROJECT / "index.html").is_file()
    assert not (static / "project" / PROJECT / "index.html").exists()
