"""`init`'s look at a repository: which folder is the library, and which folders are services.

The library: the folder the services copy into their images (`COPY shared/ ./common/`) or
install by path (`-e ../../shared`), when it has packaging (pyproject.toml, setup.cfg or
setup.py); else the one packaged folder outside the services. The services: folders holding
a requirements.txt and a Dockerfile (at their top or below, `docker/Dockerfile.gpu`) whose
requirements name the library (`-e ./common`, `./common`, `/app/shared`, its exact pin) or
whose Dockerfiles copy it."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path, PurePosixPath

from ytc_release.errors import ProjectConfigError
from ytc_release.init.setup_files import packaging_file
from ytc_release.services.pins import dockerfiles, is_service, mention_pattern
from ytc_release.toolkit import dockerfile

# Folders never searched: tool caches, virtualenvs, the index's data, vendored trees.
_SKIP = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox", "build", "dist", ".tools", ".images"}
_MAX_DEPTH = 3
_PATH_INSTALL = re.compile(r"^\s*(?:-e\s+|--editable[=\s]+)?(?P<path>(?:file:)?(?:\.{1,2}/|/)[^\s#;\[]+)")


def _folders(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, _ in os.walk(root):
        here = Path(dirpath)
        depth = len(here.relative_to(root).parts)
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP and not d.startswith("."))
        if depth >= _MAX_DEPTH:
            dirnames[:] = []
        if here != root:
            found.append(here)
    return found


def _copy_sources(path: Path) -> list[tuple[str, str]]:
    """(source, destination) of every COPY/ADD of the build context in a Dockerfile."""
    try:
        instructions = dockerfile.parse_file(path)
    except Exception:  # an unreadable Dockerfile copies nothing we can tell
        return []
    pairs = []
    for ins in instructions:
        if ins.name not in {"COPY", "ADD"}:
            continue
        flags, args = dockerfile.flags_and_args(ins.value)
        if any(f.startswith("--from=") for f in flags) or len(args) < 2:
            continue
        pairs += [(src, args[-1]) for src in args[:-1]]
    return pairs


def _top_folder(source: str) -> str:
    parts = [p for p in PurePosixPath(source.strip('"')).parts if p not in {".", "/"}]
    return parts[0] if parts else ""


def copied_folders(root: Path, services: list[Path]) -> Counter[tuple[str, str]]:
    """How many services copy each top-level folder of the repository, with the name it lands as."""
    seen: Counter[tuple[str, str]] = Counter()
    for service in services:
        mine = set()
        for path in dockerfiles(service):
            for source, dest in _copy_sources(path):
                top = _top_folder(source)
                if top and (root / top).is_dir() and packaging_file(root / top) is not None:
                    mine.add((top, PurePosixPath(dest.rstrip("/")).name or top))
        seen.update(mine)
    return seen


def path_installs(service: Path) -> list[Path]:
    """Folders a service's requirements install by path, resolved from the service folder."""
    found = []
    for req in sorted(service.glob("requirements*.txt")):
        for line in req.read_text(encoding="utf-8", errors="replace").splitlines():
            match = _PATH_INSTALL.match(line)
            if match:
                found.append((service / match["path"].removeprefix("file:")).resolve())
    return found


def find_library(root: Path, candidates: list[Path], given: str | None) -> tuple[Path, str | None]:
    """(library folder, the name services copy it as)."""
    if given:
        folder = (root / given).resolve()
        if not folder.is_dir() or packaging_file(folder) is None:
            raise ProjectConfigError(
                f"--library {given}: no folder with a pyproject.toml, setup.cfg or setup.py there",
                "name the folder that holds the library's packaging",
            )
        return folder, None
    copied = copied_folders(root, candidates)
    if copied:
        (top, landed), _ = copied.most_common(1)[0]
        return (root / top).resolve(), landed
    by_path = Counter(p for s in candidates for p in path_installs(s) if p.is_dir() and packaging_file(p))
    if by_path:
        return by_path.most_common(1)[0][0], None
    packaged = [
        f for f in _folders(root) if packaging_file(f) is not None and not any(f.is_relative_to(s) for s in candidates)
    ]
    outermost = [f for f in packaged if not any(f != o and f.is_relative_to(o) for o in packaged)]
    if len(outermost) == 1:
        return outermost[0].resolve(), None
    shown = ", ".join(f.relative_to(root).as_posix() for f in outermost) or "none"
    raise ProjectConfigError(
        f"cannot tell which folder of {root} is the library (packaged folders: {shown}; no service copies one)",
        "pass --library FOLDER",
    )


def uses_library(
    service: Path, library: Path, root: Path, copy_names: set[str], distribution: str | None
) -> str | None:
    """How ``service`` uses the library, in words; None when it does not."""
    rel = library.relative_to(root).as_posix()
    for path in dockerfiles(service):
        for source, _ in _copy_sources(path):
            if _top_folder(source) == rel.split("/")[0]:
                return f"{path.relative_to(service).as_posix()} copies {rel}/"
    if library in path_installs(service):
        return f"its requirements install {rel}/ by path"
    for req in sorted(service.glob("requirements*.txt")):
        text = req.read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            spec = line.split("#", 1)[0].strip()
            match = _PATH_INSTALL.match(spec)
            if match and PurePosixPath(match["path"].rstrip("/")).name in copy_names:
                return f"{req.name} installs a copy ({spec})"
        if distribution and mention_pattern(distribution).search(text):
            return f"{req.name} names {distribution}"
    return None


def find_services(
    root: Path, library: Path, copy_names: set[str], distribution: str | None
) -> tuple[list[Path], dict[Path, str]]:
    why = {}
    for folder in _folders(root):
        if folder == library or folder.is_relative_to(library) or not is_service(folder):
            continue
        if any(folder.is_relative_to(s) for s in why):
            continue
        reason = uses_library(folder, library, root, copy_names, distribution)
        if reason:
            why[folder] = reason
    return sorted(why), why


def service_globs(root: Path, services: list[Path]) -> list[str]:
    """`parent/*` where every folder of a parent is a service, else the folders themselves."""
    globs = []
    by_parent: dict[Path, list[Path]] = {}
    for service in services:
        by_parent.setdefault(service.parent, []).append(service)
    for parent, members in sorted(by_parent.items()):
        siblings = [d for d in parent.iterdir() if d.is_dir() and not d.name.startswith(".") and d.name not in _SKIP]
        if parent != root and len(members) > 1 and set(siblings) == set(members):
            globs.append(f"{parent.relative_to(root).as_posix()}/*")
        else:
            globs += [m.relative_to(root).as_posix() for m in members]
    return globs


def detect(root: Path, *, library: str | None = None) -> tuple[Path, str | None, list[Path]]:
    """(library folder, the name services copy it as, the candidate service folders)."""
    candidates = [f for f in _folders(root) if is_service(f)]
    folder, copied_as = find_library(root, candidates, library)
    return folder, copied_as, candidates
