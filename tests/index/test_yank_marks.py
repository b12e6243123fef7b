"""YankMarks and RootPageCache read the inner application's whole body; as WSGI
middleware they must close its iterable (PEP 3333)."""

from __future__ import annotations

import io
import wsgiref.util
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ytc_index.app import RootPageCache, YankMarks
from ytc_index.files import append_json_line
from ytc_index.releases import YANKED_NAME

WHEEL = "ytcaption_common-1.0.0-py3-none-any.whl"


class Page:
    """The inner application's body: an iterable with close(), as pypiserver's may be."""

    def __init__(self, chunks: list[bytes], fail: bool = False) -> None:
        self.chunks, self.fail, self.closed = chunks, fail, False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        if self.fail:
            raise OSError("the client went away")

    def close(self) -> None:
        self.closed = True


def inner(page: Page) -> Callable[..., Page]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Page:
        start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", "1")])
        return page

    return app


def get(app: Callable[..., Any], path: str) -> tuple[str, bytes]:
    environ: dict[str, Any] = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "wsgi.input": io.BytesIO()}
    wsgiref.util.setup_testing_defaults(environ)
    status: list[str] = []
    body = b"".join(app(environ, lambda s, h, exc_info=None: status.append(s)))
    return status[0], body


@pytest.fixture
def yanked(tmp_path: Path) -> Path:
    append_json_line(tmp_path / YANKED_NAME, {"project": "ytcaption-common", "version": "1.0.0", "reason": "bad"})
    return tmp_path


def test_the_inner_iterable_is_closed_after_the_page_is_rewritten(yanked: Path) -> None:
    page = Page([f'<a href="../../packages/{WHEEL}#sha256=ab">'.encode(), f"{WHEEL}</a>".encode()])
    status, body = get(YankMarks(inner(page), yanked), "/simple/ytcaption-common/")
    assert status == "200 OK" and b'data-yanked="bad"' in body
    assert page.closed


def test_the_inner_iterable_is_closed_when_reading_it_fails(yanked: Path) -> None:
    page = Page([b"<html>"], fail=True)
    with pytest.raises(OSError):
        get(YankMarks(inner(page), yanked), "/simple/ytcaption-common/")
    assert page.closed


class OneListing:
    """The backend side of RootPageCache: a listing that never changes."""

    listing_object = object()

    def listing(self) -> object:
        return self.listing_object


def test_the_root_page_cache_closes_the_inner_iterable() -> None:
    page = Page([b"<html>", b"</html>"])
    cache = RootPageCache(inner(page), OneListing())  # type: ignore[arg-type]
    assert get(cache, "/simple/") == ("200 OK", b"<html></html>")
    assert page.closed
