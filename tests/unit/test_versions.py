"""The version source, the next version, and the CHANGELOG entry a bump opens."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ytc_release.changelog import has_entry, open_entry
from ytc_release.errors import VersionError
from ytc_release.version import next_version, validate, version_in


@pytest.mark.parametrize(
    ("current", "part", "expected"),
    [
        ("1.2.3", "patch", "1.2.4"),
        ("1.2.3", "minor", "1.3.0"),
        ("1.2.3", "major", "2.0.0"),
        ("0.9.9", "patch", "0.9.10"),
        ("0.9.9", "minor", "0.10.0"),
        ("1.2.3", "1.2.4", "1.2.4"),
        ("1.2.3", "3.0.0", "3.0.0"),
    ],
)
def test_next_version(current: str, part: str, expected: str) -> None:
    assert next_version(current, part) == expected


@pytest.mark.parametrize("part", ["1.2.3", "1.2.2", "0.1.0"])
def test_an_explicit_version_must_be_newer(part: str) -> None:
    with pytest.raises(VersionError, match="not newer"):
        next_version("1.2.3", part)


@pytest.mark.parametrize("part", ["1.3", "1.3.0.0", "v1.3.0", "1.3.0rc1", "01.3.0", "next", ""])
def test_an_explicit_version_must_be_plain_x_y_z(part: str) -> None:
    with pytest.raises(VersionError):
        next_version("1.2.3", part)


@pytest.mark.parametrize("version", ["0.0.1", "1.2.3", "10.20.30"])
def test_validate_accepts_x_y_z(version: str) -> None:
    assert validate(version) == version


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('__version__ = "1.2.3"\n', "1.2.3"),
        ('"""doc"""\n__version__ = "2.0.0"  \n', "2.0.0"),
        ("__version__ = '1.2.3'\n", None),  # the source writes double quotes; anything else is not ours
        ('VERSION = "1.2.3"\n', None),
        ("", None),
    ],
)
def test_version_in(text: str, found: str | None) -> None:
    assert version_in(text) == found


DAY = dt.date(2026, 1, 2)


def changelog(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "CHANGELOG.md"
    path.write_text(text)
    return path


def test_open_entry_goes_below_unreleased(tmp_path: Path) -> None:
    path = changelog(tmp_path, "# Changelog\n\n## [Unreleased]\n\n## [1.0.0] - 2025-01-01\n- first\n")
    open_entry(path, "1.1.0", today=DAY)
    text = path.read_text()
    assert text.index("## [Unreleased]") < text.index("## [1.1.0] - 2026-01-02") < text.index("## [1.0.0]")
    assert "Describe what changed in 1.1.0." in text


def test_open_entry_without_unreleased_goes_above_the_newest(tmp_path: Path) -> None:
    path = changelog(tmp_path, "# Changelog\n\n## [1.0.0] - 2025-01-01\n- first\n")
    open_entry(path, "1.0.1", today=DAY)
    text = path.read_text()
    assert text.startswith("# Changelog\n\n## [1.0.1] - 2026-01-02\n")
    assert text.index("[1.0.1]") < text.index("[1.0.0]")


def test_open_entry_in_an_empty_changelog_appends(tmp_path: Path) -> None:
    path = changelog(tmp_path, "# Changelog\n")
    open_entry(path, "0.1.0", today=DAY)
    assert path.read_text().endswith("## [0.1.0] - 2026-01-02\n\n### Changed\n- Describe what changed in 0.1.0.\n\n")


def test_open_entry_twice_changes_nothing(tmp_path: Path) -> None:
    path = changelog(tmp_path, "# Changelog\n\n## [1.0.0] - 2025-01-01\n- first\n")
    before = path.read_text()
    open_entry(path, "1.0.0", today=DAY)
    assert path.read_text() == before


@pytest.mark.parametrize(
    ("text", "version", "found"),
    [
        ("## [1.0.0] - 2025-01-01\n", "1.0.0", True),
        ("## [1.0.0] - 2025-01-01\n", "1.0.1", False),
        ("## [1.0.10] - 2025-01-01\n", "1.0.1", False),
        ("see [1.0.0]\n", "1.0.0", False),
        ("### [1.0.0]\n", "1.0.0", False),
    ],
)
def test_has_entry_reads_headings_only(tmp_path: Path, text: str, version: str, found: bool) -> None:
    assert has_entry(changelog(tmp_path, text), version) is found
