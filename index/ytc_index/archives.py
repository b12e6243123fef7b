"""An uploaded file must open as what its name says, and its metadata must
name the same project and version as the filename (pip trusts the filename
for the choice and the metadata for the install).

Bounds and shapes (ArchiveLimits; index/README.md, "Limits"): the metadata file
and the uncompressed content are bounded before anything is decompressed; no
member path is absolute or climbs out (`..`, `\\`, a drive); Name, Version and
Metadata-Version appear once; a wheel installs only the top-level import names
its project owns (YTC_INDEX_OWNED_NAMES; by default the normalised project name
with `_`), so it cannot shadow another package such as `fastapi`."""

from __future__ import annotations

import gzip
import re
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
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


CORE_FIELDS = ("Metadata-Version", "Name", "Version")
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ArchiveLimits:
    max_metadata: int = 1024 * 1024  # bytes of METADATA / PKG-INFO
    max_unpacked: int = 1024 * 1024 * 1024  # bytes of uncompressed content
    # canonical project name -> the top-level import names its wheels may install
    owned: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def owned_by(self, project: str) -> tuple[str, ...]:
        return self.owned.get(canonicalize_name(project), (canonicalize_name(project).replace("-", "_"),))


def check_archive(path: Path, filename: str, limits: ArchiveLimits | None = None) -> None:
    limits = limits or ArchiveLimits()
    kind = kind_of(filename)
    try:
        if kind == WHEEL:
            name, version, *_ = parse_wheel_filename(filename)
            metadata = _wheel_metadata(path, filename, limits, name)
        elif kind == SDIST:
            name, version = parse_sdist_filename(filename)
            metadata = _sdist_metadata(path, filename, limits)
        else:
            raise BadArchive(f"{filename}: only wheels (.whl) and sdists (.tar.gz) are accepted")
    except (InvalidWheelFilename, InvalidSdistFilename) as err:
        raise BadArchive(f"{filename}: {err}") from None
    fields = Parser().parsestr(metadata, headersonly=True)
    repeated = [f for f in CORE_FIELDS if len(fields.get_all(f) or []) > 1]
    if repeated:
        raise BadArchive(
            f"{filename}: its metadata repeats {', '.join(repeated)} (installers may read either): "
            "rebuild it with a standard build backend"
        )
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


def unsafe_member(name: str) -> bool:
    """An archive member path that would land outside the folder it is unpacked into."""
    return (
        name.startswith(("/", "\\"))
        or "\\" in name
        or "\x00" in name
        or bool(_DRIVE.match(name))
        or ".." in name.split("/")
    )


def _top_level_names(members: list[str]) -> set[str]:
    """The import names a wheel's members install at the top of site-packages (the module
    or package name: `x/...`, `x.py`, `x.cpython-311-x86_64-linux-gnu.so`, `x.pth`)."""
    tops = set()
    for member in members:
        parts = member.split("/")
        if parts[0].endswith(".dist-info"):
            continue
        if parts[0].endswith(".data"):
            if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                continue  # scripts, headers, data: not importable names
            parts = parts[2:]
        if parts[0]:
            tops.add(parts[0] if len(parts) > 1 else parts[0].split(".", 1)[0])
    return tops


def _wheel_metadata(path: Path, filename: str, limits: ArchiveLimits, project: str) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            unsafe = [i.filename for i in infos if unsafe_member(i.filename)]
            if unsafe:
                raise BadArchive(f"{filename}: the member path {unsafe[0]!r} leaves the install folder")
            # Before anything is decompressed: zipfile never inflates a member beyond its stated size.
            unpacked = sum(i.file_size for i in infos)
            if unpacked > limits.max_unpacked:
                raise BadArchive(
                    f"{filename} unpacks to {unpacked} bytes, over the index's limit of {limits.max_unpacked} "
                    "(YTC_INDEX_MAX_UNPACKED_MB): ship data separately, or ask the operator to raise it"
                )
            names = [i.filename for i in infos]
            metadata = [i for i in infos if i.filename.count("/") == 1 and i.filename.endswith(".dist-info/METADATA")]
            if len(metadata) != 1:
                raise BadArchive(f"{filename}: a wheel holds exactly one *.dist-info/METADATA (found {len(metadata)})")
            if metadata[0].file_size > limits.max_metadata:
                raise BadArchive(
                    f"{filename}: its METADATA is {metadata[0].file_size} bytes, over the index's limit of "
                    f"{limits.max_metadata} (YTC_INDEX_MAX_METADATA_KB): shorten the long description"
                )
            owned = limits.owned_by(project)
            foreign = sorted(_top_level_names(names) - set(owned))
            if foreign:
                raise BadArchive(
                    f"{filename} installs the top-level name(s) {', '.join(foreign)}, which {project} does not own "
                    f"(it owns {', '.join(owned)}): a wheel must not shadow another package. If the names are "
                    "really this project's, the operator lists them in YTC_INDEX_OWNED_NAMES (index/README.md)"
                )
            broken = zf.testzip()  # reads every member: CRC errors and truncation show here
            if broken is not None:
                raise BadArchive(f"{filename}: the member {broken} is damaged")
            return zf.read(metadata[0]).decode("utf-8")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, UnicodeDecodeError) as err:
        raise BadArchive(f"{filename} is not a valid wheel (zip): {err}") from None


def _sdist_metadata(path: Path, filename: str, limits: ArchiveLimits) -> str:
    try:
        unpacked = 0
        with gzip.open(path, "rb") as gz:  # read to the end: gzip checks its CRC and length there
            while block := gz.read(1 << 20):
                unpacked += len(block)
                if unpacked > limits.max_unpacked:
                    raise BadArchive(
                        f"{filename} unpacks to more than {limits.max_unpacked} bytes, the index's limit "
                        "(YTC_INDEX_MAX_UNPACKED_MB): ship data separately, or ask the operator to raise it"
                    )
        with tarfile.open(path, "r:gz") as tar:
            members = tar.getmembers()
            unsafe = [m.name for m in members if unsafe_member(m.name)]
            if unsafe:
                raise BadArchive(f"{filename}: the member path {unsafe[0]!r} leaves the folder it unpacks into")
            candidates = [m for m in members if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")]
            if len(candidates) != 1 or not candidates[0].isfile():
                raise BadArchive(f"{filename}: an sdist holds exactly one NAME-VERSION/PKG-INFO")
            if candidates[0].size > limits.max_metadata:
                raise BadArchive(
                    f"{filename}: its PKG-INFO is {candidates[0].size} bytes, over the index's limit of "
                    f"{limits.max_metadata} (YTC_INDEX_MAX_METADATA_KB): shorten the long description"
                )
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
