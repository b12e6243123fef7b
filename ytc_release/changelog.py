"""The CHANGELOG (Keep a Changelog): an entry per released version."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ytc_release.errors import ChangelogError


def _heading(version: str) -> re.Pattern[str]:
    return re.compile(rf"^## \[{re.escape(version)}\]", re.MULTILINE)


def has_entry(changelog: Path, version: str) -> bool:
    return changelog.is_file() and bool(_heading(version).search(changelog.read_text(encoding="utf-8")))


def require_entry(changelog: Path, version: str) -> None:
    if not has_entry(changelog, version):
        raise ChangelogError(f"{changelog.name} has no entry for {version}")


def open_entry(changelog: Path, version: str, today: dt.date | None = None) -> None:
    """Insert a `## [version] - date` section below `## [Unreleased]` (or the title)."""
    if has_entry(changelog, version):
        return
    text = changelog.read_text(encoding="utf-8")
    date = (today or dt.date.today()).isoformat()
    entry = f"## [{version}] - {date}\n\n### Changed\n- Describe what changed in {version}.\n\n"
    unreleased = re.search(r"^## \[Unreleased\]\s*\n", text, re.MULTILINE)
    if unreleased:
        at = unreleased.end()
        text = text[:at] + "\n" + entry + text[at:].lstrip("\n")
    else:
        first = re.search(r"^## ", text, re.MULTILINE)
        at = first.start() if first else len(text)
        text = text[:at] + entry + text[at:]
    changelog.write_text(text, encoding="utf-8")
