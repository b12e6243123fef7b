"""The version's one source: ``__version__`` in ytcaption_common/__init__.py."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.version import InvalidVersion, Version

from ytc_release.errors import VersionError

_PLAIN = re.compile(r"^\d+\.\d+\.\d+$")
_VERSION_LINE = re.compile(r'^__version__\s*=\s*"(?P<version>[^"]+)"\s*$', re.MULTILINE)


def read_version(version_file: Path) -> str:
    matches = _VERSION_LINE.findall(version_file.read_text(encoding="utf-8"))
    if len(matches) != 1:
        raise VersionError(f'{version_file} must hold exactly one `__version__ = "X.Y.Z"` line (found {len(matches)})')
    return validate(matches[0])


def version_in(text: str) -> str | None:
    """The `__version__` a file's text declares (e.g. an older commit's), or None."""
    match = _VERSION_LINE.search(text)
    return match["version"] if match else None


def validate(version: str) -> str:
    try:
        parsed = Version(version)
    except InvalidVersion as exc:
        raise VersionError(f"{version!r} is not a valid version") from exc
    # Only plain X.Y.Z: a pre-, post- or dev-release could never get its common-vX.Y.Z tag.
    if str(parsed) != version or not _PLAIN.match(version):
        raise VersionError(f"{version!r} is not of the form X.Y.Z (normalised: {parsed})")
    return version


def next_version(current: str, part: str) -> str:
    major, minor, patch = Version(current).release
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    if part == "patch":
        return f"{major}.{minor}.{patch + 1}"
    target = validate(part)
    if Version(target) <= Version(current):
        raise VersionError(f"{target} is not newer than the current version {current}")
    return target


def write_version(version_file: Path, version: str) -> None:
    text = version_file.read_text(encoding="utf-8")
    version_file.write_text(_VERSION_LINE.sub(f'__version__ = "{version}"', text, count=1), encoding="utf-8")
