"""An uploaded file must open as what its name says, and its metadata must
name the same project and version as the filename (pip trusts the filename
for the choice and the metadata for the install)."""

from __future__ import annotations

import gzip
import tarfile
import zipfile
import zlib
from email.parser import Parser
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from ytc_index.names import SDIST, WHEEL, kind_of


class BadArchive(ValueError):
    """The uploaded file is not what its name says; the message says why."""


def check_archive(path: Path, filename: str) -> None:
    kind = kind_of(filename)
    try:
        if kind == WHEEL:
            name, version, *_ = parse_wheel_filename(filename)
            metadata = _wheel_metadata(path, filename)
        elif kind == SDIST:
            name, version = parse_sdist_filename(filename)
            metadata = _sdist_metadata(path, filename)
        else:
            raise BadArchive(f"{filename}: only wheels (.whl) and sdists (.tar.gz) are accepted")
    except (InvalidWheelFilename, InvalidSdistFilename) as err:
        raise BadArchive(f"{filename}: {err}") from None
    fields = Parser().parsestr(metadata, headersonly=True)
    meta_name, meta_version = fields.get("Name"), fields.get("Version")
    if not meta_name or not meta_version:
        raise BadArchive(f"{filename}: its metadata lacks Name or Version")
    try:
        same_version = Version(meta_version) == version
    except InvalidVersion:
        same_version = False
    if canonicalize_name(meta_name) != name or not same_version:
        raise BadArchive(
            f"{filename}: the metadata says {meta_name} {meta_version}, the filename says {name} {version}; "
            "rebuild the file (python -m build) instead of renaming it"
        )


def _wheel_metadata(path: Path, filename: str) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            broken = zf.testzip()  # reads every member: CRC errors and truncation show here
            if broken is not None:
                raise BadArchive(f"{filename}: the member {broken} is damaged")
            metadata = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
            if len(metadata) != 1:
                raise BadArchive(f"{filename}: a wheel holds exactly one *.dist-info/METADATA (found {len(metadata)})")
            return zf.read(metadata[0]).decode("utf-8")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, UnicodeDecodeError) as err:
        raise BadArchive(f"{filename} is not a valid wheel (zip): {err}") from None


def _sdist_metadata(path: Path, filename: str) -> str:
    try:
        with gzip.open(path, "rb") as gz:  # read to the end: gzip checks its CRC and length there
            while gz.read(1 << 20):
                pass
        with tarfile.open(path, "r:gz") as tar:
            candidates = [m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")]
            if len(candidates) != 1 or not candidates[0].isfile():
                raise BadArchive(f"{filename}: an sdist holds exactly one NAME-VERSION/PKG-INFO")
            fh = tar.extractfile(candidates[0])
            assert fh is not None
            return fh.read().decode("utf-8")
    except (tarfile.TarError, gzip.BadGzipFile, zlib.error, EOFError, OSError, UnicodeDecodeError) as err:
        raise BadArchive(f"{filename} is not a valid sdist (tar.gz): {err}") from None


def core_metadata(path: Path, filename: str) -> bytes:
    """The file's core metadata exactly as stored: a wheel's `*.dist-info/METADATA`
    (served as `<wheel>.metadata`, PEP 658), an sdist's `PKG-INFO`. The archive was
    checked at upload; an unreadable one raises BadArchive."""
    try:
        if kind_of(filename) == WHEEL:
            with zipfile.ZipFile(path) as zf:
                names = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
                if len(names) == 1:
                    return zf.read(names[0])
        elif kind_of(filename) == SDIST:
            with tarfile.open(path, "r:gz") as tar:
                for member in tar:
                    if member.name.count("/") == 1 and member.name.endswith("/PKG-INFO") and member.isfile():
                        fh = tar.extractfile(member)
                        assert fh is not None
                        return fh.read()
    except (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, OSError) as err:
        raise BadArchive(f"{filename}: cannot read its metadata: {err}") from None
    raise BadArchive(f"{filename}: no core metadata found")
