"""Which files and names may be uploaded: one place for the gate and the backend."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_version,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version
from pypiserver.pkg_helpers import guess_pkgname_and_version, normalize_pkgname

# pypiserver's own upload pattern (its issue #102), plus our limits below.
_FILENAME = re.compile(r"^[A-Za-z0-9_.!+-]+$")
MAX_FILENAME_BYTES = 255
WHEEL, SDIST = "wheel", "sdist"


def kind_of(filename: str) -> str | None:
    if filename.endswith(".whl"):
        return WHEEL
    if filename.endswith(".tar.gz"):
        return SDIST
    return None


def filename_problem(filename: str) -> str | None:
    """Why this upload filename is refused (None: it is acceptable)."""
    if not filename:
        return "the upload has no filename"
    if any(ord(c) < 32 or c == "\x7f" for c in filename):
        return "the filename contains control characters (NUL, newline, ...)"
    if len(filename.encode("utf-8", "surrogateescape")) > MAX_FILENAME_BYTES:
        return f"the filename is longer than {MAX_FILENAME_BYTES} bytes"
    if filename.startswith("."):
        return f"{filename!r} is a hidden name (starts with '.'): it would never be listed"
    if not _FILENAME.match(filename):
        return f"{filename!r} has characters other than letters, digits and _.!+-"
    if kind_of(filename) is None:
        return f"{filename!r} is neither a wheel (.whl) nor an sdist (.tar.gz)"
    key = release_key(filename)
    if guess_pkgname_and_version(filename) is None or key is None:
        return f"{filename!r} does not read as NAME-VERSION (see the wheel and sdist filename specs)"
    if Version(key[1]).local is not None:
        return (
            f"{filename!r} has a local version ({key[1]}): local versions are refused, as PyPI refuses them "
            "(a resolver would pick `X+local` for `==X`); publish a plain version"
        )
    return None


class NamePolicy:
    """Uploads only for names matching the reserved patterns or the allow-list."""

    def __init__(self, reserved: Iterable[str], allow: Iterable[str]) -> None:
        self.patterns = tuple(normalize_pkgname(p) for p in (*reserved, *allow))

    def allows(self, name: str) -> bool:
        norm = normalize_pkgname(name)
        return any(fnmatch.fnmatchcase(norm, p) for p in self.patterns)

    def refusal(self, name: str) -> str:
        return (
            f"{normalize_pkgname(name)!r} is not one of this index's names (patterns: {', '.join(self.patterns)}); "
            "a public name uploaded here would shadow the real package. If it really is ours, the operator "
            "adds it to YTC_INDEX_ALLOW (see index/README.md)"
        )


def release_key(filename: str) -> tuple[str, str] | None:
    """(canonical name, normalised version) as pip reads the filename: a build
    tag or another platform tag is the same release. None: not a wheel/sdist."""
    try:
        if filename.endswith(".whl"):
            name, version, *_ = parse_wheel_filename(filename)
        elif filename.endswith(".tar.gz"):
            name, version = parse_sdist_filename(filename)
        else:
            return None
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return str(name), str(version)


def same_version(a: str, b: str) -> bool:
    """One PEP 440 version: `2`, `2.0`, `2.0.0.0` and `02.0.0` are the same release."""
    return version_identity(a) == version_identity(b)


def version_identity(version: str) -> str:
    """The version as PEP 440 compares it (trailing zero releases dropped); the text itself if invalid."""
    try:
        return canonicalize_version(Version(version), strip_trailing_zero=True)
    except InvalidVersion:
        return version
