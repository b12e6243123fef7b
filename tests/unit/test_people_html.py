"""The index's pages for people, pure parts: descriptions rendered safely, the CHANGELOG
section, escaping, yank marks in words, the install and lock lines."""

from __future__ import annotations

import re

import pytest

from ytc_index import people_html
from ytc_index.people_html import FileRow, ProjectSummary, VersionRow

ATTACKS = [
    "<script>window.x=1</script>",
    '<img src="https://evil.example/p.png" onerror="window.x=2">',
    "![remote](https://evil.example/r.png)",
    "[js](javascript:window.x=3)",
    '<a href="https://evil.example/" onclick="window.x=4">link</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<svg onload="window.x=5"></svg>',
    '<style>@import url("https://evil.example/x.css");</style>',
    '<form action="https://evil.example/"><input name="q"></form>',
    '<video src="https://evil.example/v.mp4"></video>',
]


@pytest.mark.parametrize("content_type", ["text/markdown", "text/x-rst", None, "text/plain"])
@pytest.mark.parametrize("attack", ATTACKS)
def test_a_description_can_neither_run_a_script_nor_fetch_anything(attack: str, content_type: str | None) -> None:
    out = people_html.render_description(f"Title\n\n{attack}\n\nafter", content_type)
    assert "after" in out
    assert not re.search(r"<(script|img|iframe|svg|style|form|input|video|picture|source|object|embed)\b", out), out
    assert not re.search(r"\son[a-z]+\s*=", _tags(out)), out
    assert "javascript:" not in _tags(out)


def _tags(html: str) -> str:
    """Only the markup (text that merely mentions an attack is harmless)."""
    return " ".join(re.findall(r"<[^>]*>", html))


def test_markdown_keeps_its_formatting_and_drops_nameless_anchors() -> None:
    out = people_html.render_description("# Title\n\nSome *text* and `code`.\n\n- a\n- b\n", "text/markdown")
    assert "<h1" in out and "<em>text</em>" in out and "<code>code</code>" in out and "<li>a</li>" in out
    assert not re.search(r"<a\b[^>]*>\s*</a>", out)


def test_a_description_in_the_old_header_is_found() -> None:
    meta = people_html.parse_metadata(b"Metadata-Version: 1.2\nName: x\nVersion: 1\nDescription: hello there\n\n")
    assert people_html.description_of(meta) == ("hello there", None)
    meta = people_html.parse_metadata(
        b"Metadata-Version: 2.1\nName: x\nDescription-Content-Type: text/markdown\n\nbody text\n"
    )
    assert people_html.description_of(meta) == ("body text\n", "text/markdown")


CHANGELOG = """# lib

## Changelog

### [1.2.0] - 2026-12-01
- new thing

#### Details
- detail

### [1.2.0rc1] - 2026-11-30
- candidate

### 1.1.0
- older
"""


def test_the_changelog_section_of_a_version_and_no_other() -> None:
    assert people_html.changelog_section(CHANGELOG, "1.2.0") == "- new thing\n\n#### Details\n- detail"
    assert people_html.changelog_section(CHANGELOG, "1.2.0rc1") == "- candidate"
    assert people_html.changelog_section(CHANGELOG, "1.1.0") == "- older"
    assert people_html.changelog_section(CHANGELOG, "1.0.0") is None
    assert people_html.changelog_section(CHANGELOG, "1.2") is None  # a prefix is not the version


def version(v: str, yanked: str | None = None, when: float = 1_700_000_000.0) -> VersionRow:
    files = (FileRow(f"lib-{v}-py3-none-any.whl", f"../../packages/lib-{v}-py3-none-any.whl", 2048, "a" * 64),)
    return VersionRow(v, when, "publisher", ">=3.10", yanked, files)


def test_the_project_page_orders_versions_and_installs_the_newest_that_is_not_yanked() -> None:
    page = people_html.render_project(
        "lib", [version("1.0.0"), version("1.10.0", yanked="broken <b>badly</b>"), version("1.9.0")], "", "", None
    ).decode()
    assert [m for m in re.findall(r'<tr[^>]* id="v([^"]+)"', page)] == ["1.10.0", "1.9.0", "1.0.0"]
    assert '<code id="install-line">lib==1.9.0</code>' in page
    assert f'<code id="lock-line">lib==1.9.0 \\\n    --hash=sha256:{"a" * 64}</code>' in page
    # The yank in words (and a class for its colour); its reason is data, escaped.
    assert '<p class="yanked">YANKED: broken &lt;b&gt;badly&lt;/b&gt;.' in page
    assert "2.0 KiB" in page and "publisher" in page and "&gt;=3.10" in page


def test_every_version_yanked_says_so_and_offers_no_install_line() -> None:
    page = people_html.render_project("lib", [version("1.0.0", yanked="")], "", "", None).decode()
    assert "Every version of this project is yanked." in page and "install-line" not in page
    assert "YANKED: no reason given." in page


def test_pages_carry_a_csp_a_viewport_and_no_script() -> None:
    for page in (
        people_html.render_project("lib", [version("1.0.0")], "<p>hi</p>", "sum", "<ul><li>x</li></ul>"),
        people_html.render_root([ProjectSummary("lib", "1.0.0", None, 1)]),
    ):
        text = page.decode()
        assert f'<meta http-equiv="Content-Security-Policy" content="{people_html.CSP}">' in text
        assert "script-src" not in people_html.CSP and "default-src 'none'" in people_html.CSP
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
        assert "<script" not in text and "http://" not in text and "https://" not in text


def test_names_and_values_are_escaped() -> None:
    root = people_html.render_root([ProjectSummary("a<b", "1.0<script>", None, 1)]).decode()
    assert "a&lt;b" in root and "1.0&lt;script&gt;" in root and "<script" not in root
    page = people_html.render_project("x<y", [version("1.0.0")], "", "s<t", None).decode()
    assert "<h1>x&lt;y</h1>" in page and "<p>s&lt;t</p>" in page
