"""PEP 691 content negotiation from one table, read by the Python server and by nginx.

nginx cannot compute q-values, only match regular expressions, so the table is an
ordered list of regular expressions over `<?format= value>|<Accept header>`; the first
that matches names the page, and none means 406. The Python server runs the same
expressions (static.py), and the `map` block of index/nginx/ytc-index.conf.template is
generated from them (`python -m ytc_index.negotiation` prints it; a test compares), so
both answer every request alike.

The order: `?format=` first (raw or percent-encoded); no Accept: HTML; then the types at
full quality (no q, or q=1) — JSON, then the v1 HTML, then text/html or */*; then the
types with a lower q, by its first significant digit (0.9 before 0.2; within one digit
JSON before v1 HTML before HTML). q=0 means "not acceptable". Parameters other than q
(`;level=1`, `;charset=...`) are allowed and ignored."""

from __future__ import annotations

import re
import sys

JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
TEXT_HTML = "text/html"
JSON, V1HTML, HTML = "json", "v1html", "html"
CONTENT_TYPES = {JSON: JSON_V1, V1HTML: HTML_V1, HTML: TEXT_HTML}
OFFERED = (JSON_V1, HTML_V1, TEXT_HTML)

_TYPES = {
    JSON: r"application/vnd\.pypi\.simple\.(v1|latest)\+json",
    V1HTML: r"application/vnd\.pypi\.simple\.(v1|latest)\+html",
    HTML: r"(text/html|\*/\*)",
}
_FORMATS = {
    JSON: r"application(/|%2F)vnd\.pypi\.simple\.(v1|latest)(\+|%2B)json",
    V1HTML: r"application(/|%2F)vnd\.pypi\.simple\.(v1|latest)(\+|%2B)html",
    HTML: r"text(/|%2F)html",
}
_ITEM = r"^\|(.*,)?\s*"  # the start of one item of the Accept list
_END = r"\s*(,|$)"


def _rules() -> list[tuple[str, str]]:
    rules = [(f"^{_FORMATS[page]}\\|", page) for page in (JSON, V1HTML, HTML)]
    rules.append((r"^[^|]+\|", ""))  # any other ?format=: nothing acceptable
    rules.append((r"^\|\s*$", HTML))  # no Accept: the HTML of PEP 503
    # Full quality: no q parameter (other parameters allowed), or q=1.
    full = r"(\s*;(?!\s*q\s*=\s*0)\s*[^,;]*)*"
    rules += [(f"{_ITEM}{_TYPES[page]}{full}{_END}", page) for page in (JSON, V1HTML, HTML)]
    # Lower qualities, by the first significant digit: 0.9... down to 0.1..., then 0.0[1-9]...
    for digit in "987654321":
        q = rf"\s*;\s*q\s*=\s*0?\.{digit}[^,;]*"
        rules += [(f"{_ITEM}{_TYPES[page]}(\\s*;\\s*[^,;]*)*{q}[^,]*(,|$)", page) for page in (JSON, V1HTML, HTML)]
    tiny = r"\s*;\s*q\s*=\s*0?\.0+[1-9][^,;]*"
    rules += [(f"{_ITEM}{_TYPES[page]}(\\s*;\\s*[^,;]*)*{tiny}[^,]*(,|$)", page) for page in (JSON, V1HTML, HTML)]
    return rules


RULES = _rules()
_COMPILED = [(re.compile(pattern, re.IGNORECASE), page) for pattern, page in RULES]


def choose(fmt: str, accept: str | None) -> str | None:
    """JSON, V1HTML or HTML for a `?format=` value and an Accept header; None: 406."""
    subject = f"{fmt}|{accept or ''}"
    for pattern, page in _COMPILED:
        if pattern.search(subject):
            return page or None
    return None


def nginx_map() -> str:
    """The `map` block of index/nginx/ytc-index.conf.template, from RULES."""
    files = {JSON: "index.json", V1HTML: "index.v1html", HTML: "index.html", "": '""'}
    lines = ['map "$arg_format|$http_accept" $ytc_page {']
    lines += [f'    "~*{pattern}"  {files[page]};' for pattern, page in RULES]
    lines += ['    default  "";', "}"]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(nginx_map() + "\n")
