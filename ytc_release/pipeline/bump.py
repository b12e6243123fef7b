"""`ytc-release bump`: move the version source and open a CHANGELOG entry."""

from __future__ import annotations

from ytc_release import changelog
from ytc_release.paths import Layout
from ytc_release.version import next_version, read_version, write_version


def bump(lay: Layout, part: str) -> tuple[str, str]:
    current = read_version(lay.version_file)
    new = next_version(current, part)
    write_version(lay.version_file, new)
    if lay.changelog is not None:
        changelog.open_entry(lay.changelog, new)
    return current, new
