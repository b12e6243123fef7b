"""A pypiserver backend that is fresh on every request and writes atomically.

Stock pypiserver 2.4.2 either rescans the whole directory on every request
(simple-dir) or relies on a watchdog observer that read-only opens invalidate
(and that, started before a multi-process server forks, never informs the
workers). ytc_index runs one waitress process; its threads share this backend.

Here each request costs one stat() per package directory: the listing is
rebuilt only when a directory's mtime moved (a file was created, deleted or
renamed in it). File digests are cached by (mtime, size), so an in-place
write is seen too. Uploads go to a hidden temp file in the same directory,
are fsynced, opened and compared with their filename (archives.py), admitted
by the release rule (releases.py) under a lock, then linked into place: a
partial or broken upload is never listed, and link() refuses to replace an
existing file even when two uploads race. Nothing is removed over HTTP.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pypiserver.backend import Backend
from pypiserver.bottle_wrapper import HTTPError, request
from pypiserver.core import PkgFile
from pypiserver.pkg_helpers import guess_pkgname_and_version, is_listed_path, normalize_pkgname

from ytc_index.archives import ArchiveLimits, BadArchive, check_archive
from ytc_index.files import listed_files
from ytc_index.names import NamePolicy, filename_problem, release_key, same_version
from ytc_index.provenance import parse_comment
from ytc_index.provenance import save as save_provenance
from ytc_index.registry import PrivateNames
from ytc_index.releases import Closed, admit, append_record, upload_lock

TEMP_PREFIX = ".upload-"
TEMP_SUFFIX = ".part"
# Uploads are written here first (a hidden folder: never listed, and writing in it
# leaves the package folder's mtime alone, so readers do not rescan mid-upload).
INCOMING = ".incoming"
# A directory changed less than this long before a scan may change again within
# the same mtime tick; such a listing is rebuilt on the next request.
_RACY_NS = 100_000_000


@dataclass
class _Listing:
    stamps: dict[str, int]
    stable: bool
    packages: list[PkgFile]
    by_project: dict[str, list[PkgFile]]
    by_name: dict[str, PkgFile]
    by_relpath: dict[str, PkgFile]
    # relpath -> inode: a file replaced by a rename (a new inode) is a change too.
    inodes: dict[str, int]


def _scan(root: Path) -> _Listing:
    scan_started = time.time_ns()
    stamps: dict[str, int] = {}
    packages: list[PkgFile] = []
    inodes: dict[str, int] = {}
    root_str = str(root)
    for entry in listed_files(root_str, stamps):
        guessed = guess_pkgname_and_version(entry.name)
        if guessed is None:
            continue
        name, version = guessed
        pkg = PkgFile(
            pkgname=name, version=version, fn=entry.path, root=root_str, relfn=entry.path[len(root_str) + 1 :]
        )
        packages.append(pkg)
        inodes[pkg.relfn_unix] = entry.inode()  # from the directory entry: no extra system call
    by_project: dict[str, list[PkgFile]] = {}
    for pkg in packages:
        by_project.setdefault(pkg.pkgname_norm, []).append(pkg)
    stable = all(scan_started - mtime > _RACY_NS for mtime in stamps.values())
    return _Listing(
        stamps,
        stable,
        packages,
        by_project,
        {os.path.basename(p.fn): p for p in packages},
        {p.relfn_unix: p for p in packages},
        inodes,
    )


def _changed_projects(old: _Listing, new: _Listing) -> dict[str, list[str]]:
    """{project: [relpath]} of the projects whose files differ between two listings
    (added, removed, or replaced by another file under the same name)."""
    changed = {}
    for project in old.by_project.keys() | new.by_project.keys():
        before = {(p.relfn_unix, old.inodes.get(p.relfn_unix)) for p in old.by_project.get(project, [])}
        now = {(p.relfn_unix, new.inodes.get(p.relfn_unix)) for p in new.by_project.get(project, [])}
        if before != now:
            changed[project] = sorted(relpath for relpath, _ in now)
    return changed


def _unchanged(listing: _Listing) -> bool:
    try:
        return all(os.stat(d).st_mtime_ns == m for d, m in listing.stamps.items())
    except FileNotFoundError:
        return False


class FreshFileBackend(Backend):
    def __init__(
        self,
        config: object,
        root: Path,
        state: Path,
        names: PrivateNames,
        policy: NamePolicy | None = None,
        release_window: float = 900,
        limits: ArchiveLimits | None = None,
    ) -> None:
        super().__init__(config)  # type: ignore[arg-type]
        self.root = root.resolve()
        self.state = state
        self.names = names
        self.policy = policy or NamePolicy(names.reserved, ())
        self.release_window = release_window
        self.limits = limits or ArchiveLimits()
        names.ensure_file()
        self._lock = threading.Lock()
        self._listing: _Listing | None = None
        self._digests: dict[str, tuple[int, int, str]] = {}
        # Told {project: [relpath]} of the projects whose files changed outside an upload
        # (copied in or removed by hand); the app rewrites their static pages.
        self.on_change: Callable[[dict[str, list[str]]], None] | None = None
        # Told (project, filename, upload time) after an upload linked its file, under the lock.
        self.on_upload: Callable[[str, str, float], None] | None = None

    # -- reading -----------------------------------------------------------
    def listing(self) -> object:
        """The current listing; the same object for as long as nothing changed."""
        return self._current()

    def _current(self) -> _Listing:
        listing = self._listing
        if listing is not None and listing.stable and _unchanged(listing):
            return listing
        changed: dict[str, list[str]] = {}
        with self._lock:
            listing = self._listing
            if listing is None or not listing.stable or not _unchanged(listing):
                old, listing = listing, _scan(self.root)
                self._listing = listing
                # Anything ever listed stays private, also files an operator copied in.
                self.names.record(listing.by_project)
                if old is not None:
                    changed = _changed_projects(old, listing)
        if changed and self.on_change is not None:  # outside the lock: it takes the upload lock
            self.on_change(changed)
        return listing

    def get_all_packages(self) -> Iterable[PkgFile]:
        return self._current().packages

    def find_project_packages(self, project: str) -> Iterable[PkgFile]:
        return self._current().by_project.get(normalize_pkgname(project), [])

    def find_file(self, relpath: str) -> PkgFile | None:
        """The package file at ``relpath`` below the root (as in /packages/<relpath>)."""
        return self._current().by_relpath.get(relpath)

    def find_version(self, name: str, version: str) -> Iterable[PkgFile]:
        return [p for p in self.find_project_packages(name) if p.version == version]

    def get_projects(self) -> Iterable[str]:
        return self._current().by_project.keys()

    def package_count(self) -> int:
        return len(self._current().packages)

    def exists(self, filename: str) -> bool:
        return filename in self._current().by_name or (self.root / filename).exists()

    def digest(self, pkg: PkgFile) -> str | None:
        if self.hash_algo is None or pkg.fn is None:
            return None
        try:
            st = os.stat(pkg.fn)
        except FileNotFoundError:
            return None
        cached = self._digests.get(pkg.fn)
        if cached and cached[0] == st.st_mtime_ns and cached[1] == st.st_size:
            return cached[2]
        digester = hashlib.new(self.hash_algo)
        with open(pkg.fn, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digester.update(block)
        value = f"{self.hash_algo}={digester.hexdigest()}"
        self._digests[pkg.fn] = (st.st_mtime_ns, st.st_size, value)
        return value

    # -- writing -----------------------------------------------------------
    def add_package(self, filename: str, stream: BinaryIO) -> None:
        """Store an upload: acceptable name, an archive that opens and agrees with
        its name, a release that still accepts it; else 4xx and nothing stored."""
        problem = filename_problem(filename)
        if problem:
            raise HTTPError(400, f"bad filename: {problem}")
        key = release_key(filename)
        assert key is not None  # filename_problem checked it
        name, version = key
        if not self.policy.allows(name):
            raise HTTPError(403, self.policy.refusal(name))
        user = str(request.environ.get("REMOTE_USER") or "anonymous")
        # Where the file came from, as the uploader says (the form's standard `comment`; provenance.py).
        provenance = parse_comment(request.forms.getunicode("comment"))

        def check(tmp: Path) -> None:
            try:
                check_archive(tmp, filename, self.limits)
            except BadArchive as err:
                raise HTTPError(400, str(err)) from None

        before: list[_Listing | None] = [None]

        def admit_under_lock() -> None:
            try:
                admit(self.state, name, version, filename, user, self._files_of(name, version), self.release_window)
            except Closed as err:
                raise HTTPError(409, str(err)) from None
            before[0] = self._listing  # current: _files_of() just checked it

        def record() -> None:  # under the lock too: the next upload's admit() sees who started the release
            now = time.time()
            entry = {"op": "upload", "time": now, "user": user, "file": filename}
            if provenance is not None:
                entry["provenance"] = provenance
                save_provenance(self.state, name, filename, provenance)
            append_record(self.state, entry | {"project": name, "version": version})
            if self.on_upload is not None:
                self.on_upload(name, filename, now)
            self._add_to_listing(before[0], name, filename)

        write_atomically(self.root, self.state, filename, stream, check=check, admit=admit_under_lock, record=record)
        self.names.record([name])

    def _add_to_listing(self, before: _Listing | None, name: str, filename: str) -> None:
        """Add the file just linked to the listing, so that the next read does not
        rescan the whole folder (seconds at 100,000 files). Only if the listing was
        current just before the link; a file copied in by hand within the same mtime
        tick is then seen at the folder's next change (or the next start)."""
        with self._lock:
            if before is None or self._listing is not before:
                return
            root = str(self.root)
            path = os.path.join(root, filename)
            guessed = guess_pkgname_and_version(filename)
            if guessed is None:
                return
            pkg = PkgFile(pkgname=guessed[0], version=guessed[1], fn=path, root=root, relfn=filename)
            by_project = dict(before.by_project)
            by_project[pkg.pkgname_norm] = [*by_project.get(pkg.pkgname_norm, []), pkg]
            self._listing = _Listing(
                {**before.stamps, root: os.stat(root).st_mtime_ns},
                True,
                [*before.packages, pkg],
                by_project,
                {**before.by_name, filename: pkg},
                {**before.by_relpath, filename: pkg},
                {**before.inodes, filename: os.stat(path).st_ino},
            )

    def _files_of(self, name: str, version: str) -> list[str]:
        """Every file of release (name, version) as pip reads filenames, from the
        listing and from the disk itself (another upload may have just linked one)."""
        candidates = {os.path.basename(p.fn) for p in self.find_project_packages(name) if p.fn}
        with os.scandir(self.root) as entries:
            candidates.update(e.name for e in entries if is_listed_path(e.name) and e.is_file(follow_symlinks=False))
        keys = {f: release_key(f) for f in candidates}
        return sorted(f for f, key in keys.items() if key and key[0] == name and same_version(key[1], version))

    def remove_package(self, pkg: PkgFile) -> None:
        # Releases are immutable over HTTP: the gate refuses remove_pkg; this is the last line.
        raise HTTPError(403, "released files are never removed over HTTP: `ytc-release index remove` on the index host")


def write_atomically(
    root: Path,
    state: Path,
    filename: str,
    stream: BinaryIO,
    check: Callable[[Path], None] | None = None,
    admit: Callable[[], None] | None = None,
    record: Callable[[], None] | None = None,
) -> None:
    """temp file in packages/.incoming (same file system) -> fsync -> check -> (under the upload
    lock) admit -> link into place (never replaces). Any failure leaves nothing."""
    offset = stream.tell()
    incoming = root / INCOMING
    incoming.mkdir(mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=incoming)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        if check is not None:
            check(Path(tmp))
        with upload_lock(state):
            if admit is not None:
                admit()
            try:
                os.link(tmp, root / filename)
            except FileExistsError:
                raise HTTPError(409, f"Package {filename!r} already exists! Files are never replaced.") from None
            if record is not None:
                record()
        dir_fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        stream.seek(offset)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def remove_stale_uploads(root: Path) -> list[Path]:
    """Temp files left by an upload interrupted by a crash (call before workers start)."""
    pattern = f"{TEMP_PREFIX}*{TEMP_SUFFIX}"
    stale = [p for p in (*root.glob(pattern), *(root / INCOMING).glob(pattern)) if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale
