"""Reading an index's simple page, and a file name's version."""

from __future__ import annotations

import pytest

from ytc_release.index.client import IndexedFile, parse_listing, version_of

PAGE = "https://idx.example/simple/ytcaption-common/"


def test_links_with_sha256_fragments() -> None:
    html = (
        '<html><body><a href="../../packages/ytcaption_common-1.0.0-py3-none-any.whl#sha256=abc">w</a>'
        '<a href="../../packages/ytcaption_common-1.0.0.tar.gz#sha256=def">s</a></body></html>'
    )
    assert parse_listing(html, PAGE) == [
        IndexedFile(
            "ytcaption_common-1.0.0-py3-none-any.whl",
            "https://idx.example/packages/ytcaption_common-1.0.0-py3-none-any.whl",
            "abc",
        ),
        IndexedFile(
            "ytcaption_common-1.0.0.tar.gz", "https://idx.example/packages/ytcaption_common-1.0.0.tar.gz", "def"
        ),
    ]


@pytest.mark.parametrize(
    ("href", "url", "sha"),
    [
        ("/packages/a-1.0.tar.gz", "https://idx.example/packages/a-1.0.tar.gz", None),
        ("a-1.0.tar.gz#md5=00", "https://idx.example/simple/ytcaption-common/a-1.0.tar.gz", None),
        ("https://files.example/a-1.0.tar.gz#sha256=ff", "https://files.example/a-1.0.tar.gz", "ff"),
        ("../a-1.0.tar.gz?x=1#sha256=aa", "https://idx.example/simple/a-1.0.tar.gz?x=1", "aa"),
    ],
)
def test_link_forms(href: str, url: str, sha: str | None) -> None:
    (entry,) = parse_listing(f'<a href="{href}">x</a>', PAGE)
    assert (entry.filename, entry.url, entry.sha256) == ("a-1.0.tar.gz", url, sha)


@pytest.mark.parametrize(
    "html",
    ["", "<html></html>", "<a>no href</a>", '<link href="style.css">', "<p>ytcaption_common-1.0.0.tar.gz</p>"],
)
def test_no_links_no_files(html: str) -> None:
    assert parse_listing(html, PAGE) == []


@pytest.mark.parametrize(
    ("filename", "version"),
    [
        ("ytcaption_common-1.2.3-py3-none-any.whl", "1.2.3"),
        ("ytcaption_common-1.2.3.tar.gz", "1.2.3"),
        ("ytcaption-common-2.0.0.tar.gz", "2.0.0"),
        ("ytcaption_common-1.2.3.zip", "1.2.3"),  # a legacy zip sdist is still an sdist
        ("not-a-wheel.whl", None),
        ("README.md", None),
    ],
)
def test_version_of(filename: str, version: str | None) -> None:
    assert version_of(filename) == version
