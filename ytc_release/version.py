"""The version's one source, as the [tool.ytc-release] table names it: a module's
``__version__ = "X.Y.Z"`` line, or the static ``version`` of a pyproject.toml's [project]."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.version import InvalidVersion, Version

from ytc_release.errors import VersionError

_PLAIN = re.compile(r"^\d+\.\d+\.\d+$")
_VERSION_LINE = re.compile(r'^__version__\s*=\s*"(?P<version>[^"]+)"\s*$', re.MULTILINE)


_PROJECT_VERSION = re.compile(r'^(?P<head>version\s*=\s*)"(?P<version>[^"]+)"', re.MULTILINE)
_TABLE_HEADER = re.compile(r"^\[", re.MULTILINE)
_PROJECT_HEADER = re.compile(r"^\[project\][ \t]*$", re.MULTILINE)


def _project_span(text: str) -> tuple[int, int] | None:
    """Where the [project] table of a pyproject.toml's text starts and ends."""
    header = _PROJECT_HEADER.search(text)
    if header is None:
        return None
    following = _TABLE_HEADER.search(text, header.end())
    return header.end(), following.start() if following else len(text)


def _pyproject_versions(text: str) -> list[re.Match[str]]:
    span = _project_span(text)
    if span is None:
        return []
    return list(_PROJECT_VERSION.finditer(text, *span))


def read_version(version_file: Path) -> str:
    text = version_file.read_text(encoding="utf-8")
    if version_file.name == "pyproject.toml":
        found = [m["version"] for m in _pyproject_versions(text)]
        if len(found) != 1:
            raise VersionError(
                f'{version_file} must hold exactly one static `version = "X.Y.Z"` in [project] (found {len(found)})'
            )
        return validate(found[0])
    matches = _VERSION_LINE.findall(text)
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
    if version_file.name == "pyproject.toml":
        match = _pyproject_versions(text)[0]
        new = text[: match.start()] + f'{match["head"]}"{version}"' + text[match.end() :]
    else:
        new = _VERSION_LINE.sub(f'__version__ = "{version}"', text, count=1)
    version_file.write_text(new, encoding="utf-8")
