"""The index's pages for people, as HTML: a root page listing the projects and one page per
project (pure functions; people_pages.py writes and serves them).

A project page shows every version newest first (upload time, account, Requires-Python,
yank mark and reason, files with size and sha256), the install and lock lines, the newest
release's description and, when the description carries one, its CHANGELOG section.

Descriptions are rendered with readme_renderer, as PyPI renders them; it sanitises with nh3.
Its output still allows <img src="https://...">, so a second nh3 pass drops every tag that
fetches (images, frames, media) or asks (forms): nothing a description says can make the
browser fetch anything. A Content-Security-Policy
(no script, no remote resource) is the second line of defence. The pages need no script,
carry their CSS inline and a viewport meta, so they read on a phone."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import Message
from email.parser import BytesParser

import readme_renderer.clean
import readme_renderer.markdown
import readme_renderer.rst
import readme_renderer.txt
from packaging.version import InvalidVersion, Version

# No script, no remote or local resource at all except inline styles: a description
# that got past the sanitiser still cannot run or fetch anything.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
# Tags that make a browser fetch something, and form fields (a description has nothing to ask):
# never allowed from a description.
DROPPED_TAGS = frozenset(
    {"img", "picture", "source", "video", "audio", "image", "svg", "iframe", "object", "embed", "input", "form"}
)
# An anchor with nothing in it (the heading anchors Markdown renderers add): a link without a name.
_EMPTY_LINK = re.compile(r"<a\b[^>]*>\s*</a>")

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.5}
header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
header{border-bottom:1px solid #ccc}
a{color:#0b57a4}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f4f4f4;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}
.hash{word-break:break-all}
.yanked{background:#fde8e8;color:#7a1212;font-weight:bold}
.current{background:#e6f4ea;color:#14532d;font-weight:bold}
.description{border-top:1px solid #ccc;margin-top:1.5rem}
footer{color:#555;font-size:.85em;margin-top:2rem;border-top:1px solid #ccc}
@media (max-width:40rem){
table,tbody,tr,td,tbody th{display:block;width:auto}
thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
tr{margin-bottom:.8rem;border:1px solid #bbb}
td,tbody th{border:0;border-top:1px solid #ddd}
td::before{content:attr(data-label) ": ";font-weight:bold}
}
"""


@dataclass(frozen=True)
class FileRow:
    filename: str
    url: str  # relative to the page
    size: int
    sha256: str


@dataclass(frozen=True)
class VersionRow:
    version: str
    uploaded: float | None  # epoch seconds of its first file
    uploaded_by: str | None  # the account; None when the operator placed the files by hand
    requires_python: str | None
    yanked_reason: str | None  # None: not yanked; "" yanked without a reason
    files: tuple[FileRow, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ProjectSummary:
    name: str
    newest: str | None  # the newest version that is not yanked
    uploaded: float | None
    versions: int


def version_key(version: str) -> tuple[int, Version | str]:
    """Newest last; a version PEP 440 cannot parse sorts before every one it can."""
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, version)


def parse_iso(text: str) -> float:
    """Epoch seconds of a simple JSON page's `upload-time` (2026-11-29T10:00:00.000000Z)."""
    return datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def when(timestamp: float | None) -> str:
    if timestamp is None:
        return "unknown"
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def human_size(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return f"{size} bytes"


def _safe(fragment: str) -> str:
    """readme_renderer's allow-list without the tags that fetch something; nameless links
    removed (the sanitiser escapes every `<` outside a tag, so removing one cannot make markup)."""
    tags = set(readme_renderer.clean.ALLOWED_TAGS) - DROPPED_TAGS
    return _EMPTY_LINK.sub("", readme_renderer.clean.clean(fragment, tags=tags) or "")


def render_description(text: str, content_type: str | None) -> str:
    """Sanitised HTML of a description, dispatched on Description-Content-Type as PyPI does
    (reStructuredText by default; text that does not parse is shown as plain text)."""
    kind = (content_type or "text/x-rst").split(";", 1)[0].strip().lower()
    rendered: str | None
    if kind == "text/markdown":
        rendered = readme_renderer.markdown.render(text)
    elif kind == "text/plain":
        rendered = readme_renderer.txt.render(text)
    else:
        rendered = readme_renderer.rst.render(text)
    if rendered is None:
        rendered = readme_renderer.txt.render(text)
    return _safe(rendered or "")


_HEADING = re.compile(r"^(?P<marks>#{1,6})\s+(?P<title>.*?)\s*#*\s*$", re.MULTILINE)


def changelog_section(markdown: str, version: str) -> str | None:
    """The Markdown section whose heading names `version` (`## [1.2.0] - 2026-11-29`,
    `## 1.2.0`), up to the next heading of the same or a higher level; None if absent."""
    pattern = re.compile(rf"(^|[\s\[v(]){re.escape(version)}($|[\s\]):,])")
    headings = list(_HEADING.finditer(markdown))
    for i, heading in enumerate(headings):
        if pattern.search(heading["title"]):
            level = len(heading["marks"])
            end = next((h.start() for h in headings[i + 1 :] if len(h["marks"]) <= level), len(markdown))
            body = markdown[heading.end() : end].strip()
            return body or None
    return None


def parse_metadata(raw: bytes) -> Message:
    return BytesParser().parsebytes(raw)


def description_of(metadata: Message) -> tuple[str, str | None]:
    """(description text, its content type) from core metadata: the body (Metadata 2.1+)
    or the older Description header."""
    body = metadata.get_payload()
    text = body if isinstance(body, str) and body.strip() else str(metadata.get("Description") or "")
    return text, metadata.get("Description-Content-Type")


def _page(title: str, body: list[str], up: str) -> bytes:
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f'<header><p><a href="{up}">ytcaption private index</a> · <a href="{up}simple/">simple API</a></p></header>',
        "<main>",
        *body,
        "</main>",
        "<footer><p>Written by the index on every upload and operator act. "
        "pip reads the same data from the simple API.</p></footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(lines).encode()


def render_root(projects: Sequence[ProjectSummary]) -> bytes:
    """The root page: every project with its newest version."""
    body = ["<h1>Projects on this index</h1>"]
    if not projects:
        body.append("<p>No project has files here yet. Publish one with <code>make release</code>.</p>")
    else:
        body += [
            '<div class="table-wrap"><table>',
            '<thead><tr><th scope="col">Project</th><th scope="col">Newest version</th>'
            '<th scope="col">Published</th><th scope="col">Versions</th></tr></thead><tbody>',
        ]
        for p in sorted(projects, key=lambda p: p.name):
            name = html.escape(p.name)
            body.append(
                f'<tr><th scope="row"><a href="project/{name}/">{name}</a></th>'
                f'<td data-label="Newest version">{html.escape(p.newest or "none (all yanked)")}</td>'
                f'<td data-label="Published">{when(p.uploaded)}</td><td data-label="Versions">{p.versions}</td></tr>'
            )
        body.append("</tbody></table></div>")
    return _page("ytcaption private index", body, "./")


def _install_lines(project: str, version: VersionRow) -> tuple[str, str]:
    pin = f"{project}=={version.version}"
    hashes = sorted(f.sha256 for f in version.files)
    lock = " \\\n".join([pin, *(f"    --hash=sha256:{h}" for h in hashes)])
    return pin, lock


def _yank_words(reason: str | None) -> str:
    if reason is None:
        return ""
    said = html.escape(reason) if reason else "no reason given"
    return f'<p class="yanked">YANKED: {said}. pip installs it only when pinned exactly.</p>'


def render_project(
    project: str, versions: Sequence[VersionRow], description_html: str, summary: str, changes: str | None
) -> bytes:
    """One project's page. `versions` in any order; `description_html` already sanitised
    (render_description), `changes` the newest release's CHANGELOG section as sanitised HTML."""
    ordered = sorted(versions, key=lambda v: version_key(v.version), reverse=True)
    current = next((v for v in ordered if v.yanked_reason is None), None)
    name = html.escape(project)
    body = [f"<h1>{name}</h1>"]
    if summary:
        body.append(f"<p>{html.escape(summary)}</p>")
    if current is None:
        body.append('<p class="yanked">Every version of this project is yanked.</p>')
    else:
        pin, lock = _install_lines(project, current)
        body += [
            f'<h2>Install {html.escape(current.version)} <span class="current">newest</span></h2>',
            "<p>In a service's <code>requirements.txt</code>:</p>",
            f'<pre><code id="install-line">{html.escape(pin)}</code></pre>',
            "<p>In its hash lock (what <code>ytc-release lock</code> writes):</p>",
            f'<pre><code id="lock-line">{html.escape(lock)}</code></pre>',
        ]
        if changes:
            body += [
                f"<h2>What changed in {html.escape(current.version)}</h2>",
                f'<div class="changes">{changes}</div>',
            ]
    body += [
        "<h2>Versions</h2>",
        '<div class="table-wrap"><table>',
        '<thead><tr><th scope="col">Version</th><th scope="col">Published</th><th scope="col">By</th>'
        '<th scope="col">Requires-Python</th><th scope="col">Files</th></tr></thead><tbody>',
    ]
    for v in ordered:
        files = "".join(
            f'<li><a href="{html.escape(f.url)}">{html.escape(f.filename)}</a> ({human_size(f.size)})<br>'
            f'<span class="hash">sha256: <code>{f.sha256}</code></span></li>'
            for f in sorted(v.files, key=lambda f: f.filename)
        )
        version_cell = html.escape(v.version) + _yank_words(v.yanked_reason)
        row_class = ' class="yanked-row"' if v.yanked_reason is not None else ""
        body.append(
            f'<tr{row_class} id="v{html.escape(v.version)}"><th scope="row">{version_cell}</th>'
            f'<td data-label="Published">{when(v.uploaded)}</td>'
            f'<td data-label="By">{html.escape(v.uploaded_by or "the operator (placed by hand)")}</td>'
            f'<td data-label="Requires-Python">{html.escape(v.requires_python or "any")}</td>'
            f'<td data-label="Files"><ul>{files}</ul></td></tr>'
        )
    body.append("</tbody></table></div>")
    if description_html:
        shown = current or (ordered[0] if ordered else None)
        title = f"Description of {html.escape(shown.version)}" if shown else "Description"
        body += [f'<section class="description"><h2>{title}</h2>', description_html, "</section>"]
    return _page(f"{project} · ytcaption private index", body, "../../")
