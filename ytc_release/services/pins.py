"""Services and their exact pins of the library (`NAME==X.Y.Z`, NAME the distribution the
repository's [tool.ytc-release] table names).

A service is a folder the table's `services` globs match (less its `exclude` globs) that holds
a `requirements.txt` and a Dockerfile, at its top or in a folder below it (`docker/Dockerfile`,
`docker/Dockerfile.gpu`, ...); code may live in app/ or at the folder's top. A new service
folder is picked up without listing it anywhere. A pin line ending in the comment `# ytc: hold`
is left alone by releases (a service held back for a rollback)."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ytc_release.errors import PinError

if TYPE_CHECKING:
    from ytc_release.paths import Layout

HOLD_MARKER = "ytc: hold"
_HASH_LINE = re.compile(r"^[ \t]+--hash=sha256:[0-9a-f]{64}[ \t]*\\?[ \t]*\n?", re.MULTILINE)
# Folders never searched for a service's Dockerfiles.
_NOT_SOURCE = {".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".pytest_cache", "build", "dist"}


def _name_pattern(distribution: str) -> str:
    """The distribution's name as any spelling of it (PEP 503: -, _ and . are the same)."""
    return "[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", distribution))


@lru_cache(maxsize=8)
def pin_pattern(distribution: str) -> re.Pattern[str]:
    return re.compile(
        rf"^(?P<head>[ \t]*{_name_pattern(distribution)}[ \t]*==[ \t]*)(?P<version>[^\s;#\\]+)(?P<tail>[^\n]*)$",
        re.IGNORECASE | re.MULTILINE,
    )


@lru_cache(maxsize=8)
def mention_pattern(distribution: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.-]){_name_pattern(distribution)}(?![\w.-])", re.IGNORECASE)


@dataclass(frozen=True)
class Pin:
    service: str
    requirements: Path
    version: str
    held: bool


def dockerfiles(folder: Path) -> list[Path]:
    """The Dockerfiles of a service: `Dockerfile*` at its top or in a folder below it."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in _NOT_SOURCE and not d.startswith("."))
        found += [here / n for n in sorted(filenames) if n.startswith("Dockerfile") and not n.endswith(".dockerignore")]
    return found


def main_dockerfile(folder: Path) -> Path | None:
    """The Dockerfile a service's image is built from: `Dockerfile` at its top, else the first one named
    exactly `Dockerfile` below it (`docker/Dockerfile`), else the first variant (`docker/Dockerfile.cpu`)."""
    found = dockerfiles(folder)
    plain = [p for p in found if p.name == "Dockerfile"]
    return (plain or found or [None])[0]


def is_service(folder: Path) -> bool:
    """The one definition: a folder with a requirements.txt and a Dockerfile at or below its top."""
    return (folder / "requirements.txt").is_file() and bool(dockerfiles(folder))


def discover_services(lay: Layout) -> list[Path]:
    """The folders the table's `services` globs match, less `exclude`, that are services."""
    root, project = lay.root, lay.project
    found: set[Path] = set()
    for pattern in project.services:
        for folder in root.glob(pattern):
            rel = folder.relative_to(root).as_posix()
            if not folder.is_dir() or any(part.startswith(".") for part in Path(rel).parts):
                continue
            if any(fnmatch.fnmatchcase(rel, ex) for ex in project.exclude) or rel == project.library:
                continue
            if is_service(folder):
                found.add(folder)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def read_pin(lay: Layout, service_dir: Path) -> Pin | None:
    """The service's exact pin; None when its requirements.txt does not name the library at all
    (a service not migrated yet); an error for anything else than exactly one exact pin."""
    name = lay.project.distribution
    req = service_dir / "requirements.txt"
    rel = req.relative_to(lay.root)
    text = req.read_text(encoding="utf-8")
    pins = list(pin_pattern(name).finditer(text))
    mentions = [line for line in text.splitlines() if mention_pattern(name).search(line.split("#", 1)[0])]
    if not pins and not mentions:
        return None
    if len(pins) != 1 or len(mentions) != 1:
        what = f"no exact `{name}==X.Y.Z` pin" if not pins else f"{max(len(pins), len(mentions))} {name} lines"
        raise PinError(
            f"{rel} has {what}; exactly one exact pin is required",
            f"give each service's requirements.txt exactly one `{name}==X.Y.Z` line (`ytc-release migrate` writes it)",
        )
    match = pins[0]
    return Pin(service_dir.relative_to(lay.root).as_posix(), req, match["version"], HOLD_MARKER in match["tail"])


def service_pins(lay: Layout) -> tuple[list[Pin], list[str]]:
    """(the services' pins, the services whose requirements.txt does not name the library yet)."""
    services = discover_services(lay)
    if not services:
        raise PinError(
            f"no services found under {lay.root} (the [tool.ytc-release] services globs "
            f"{list(lay.project.services)} match no folder with a requirements.txt and a Dockerfile)",
            "fix `services` in [tool.ytc-release]",
        )
    pins, unpinned = [], []
    for service in services:
        pin = read_pin(lay, service)
        if pin is None:
            unpinned.append(service.relative_to(lay.root).as_posix())
        else:
            pins.append(pin)
    return pins, unpinned


def read_pins(lay: Layout) -> list[Pin]:
    """Every service's pin; an error naming the first service that has none."""
    pins, unpinned = service_pins(lay)
    if unpinned:
        name = lay.project.distribution
        raise PinError(
            f"{unpinned[0]}/requirements.txt does not pin {name}"
            + (f" (nor do {len(unpinned) - 1} more)" if len(unpinned) > 1 else ""),
            f"run `ytc-release migrate {' '.join(unpinned)}` (it replaces the copy with the exact pin)",
        )
    return pins


def rewrite_pin(text: str, version: str, hashes: list[str] | None = None, *, distribution: str) -> str:
    """The same text with the pin moved to ``version``; hash lines that follow a
    pin (`--require-hashes` style) are replaced by ``hashes``. Nothing else changes."""
    match = pin_pattern(distribution).search(text)
    assert match is not None
    line = f"{match['head']}{version}{match['tail']}"
    rest = text[match.end() :]
    if line.rstrip().endswith("\\"):
        after_newline = rest[1:] if rest.startswith("\n") else rest
        old_hashes = _HASH_LINE.match(after_newline)
        consumed = 0
        while old_hashes:
            consumed += old_hashes.end()
            old_hashes = _HASH_LINE.match(after_newline[consumed:])
        if hashes:
            indent = "    "
            lines = [f"{indent}--hash=sha256:{h}" for h in hashes]
            new_block = " \\\n".join(lines) + "\n"
            rest = ("\n" if rest.startswith("\n") else "") + new_block + after_newline[consumed:]
    return text[: match.start()] + line + rest
