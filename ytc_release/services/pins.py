"""Services and their `ytcaption-common==X.Y.Z` pins.

A service is a folder holding a `Dockerfile` and a `requirements.txt` (code may
live in app/ or at the folder's top, like the orchestrator's main.py and
modules/), found at the top of the repository or under services/, so a new
service folder is picked up without listing it anywhere. `index/` also has a
Dockerfile and a requirements.txt but is the private index's own image, not a
service: it is excluded by name (NOT_SERVICES). A pin line ending in the comment
`# ytc: hold` is left alone by releases (a service held back for a rollback)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ytc_release.errors import PinError

HOLD_MARKER = "ytc: hold"
_PIN = re.compile(
    r"^(?P<head>[ \t]*ytcaption[-_.]common[ \t]*==[ \t]*)(?P<version>[^\s;#\\]+)(?P<tail>[^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)
_MENTION = re.compile(r"ytcaption[-_.]common", re.IGNORECASE)
_HASH_LINE = re.compile(r"^[ \t]+--hash=sha256:[0-9a-f]{64}[ \t]*\\?[ \t]*\n?", re.MULTILINE)


@dataclass(frozen=True)
class Pin:
    service: str
    requirements: Path
    version: str
    held: bool


# Folders at the top of the repository that look like services but are not.
NOT_SERVICES = frozenset({"index"})


def is_service(folder: Path) -> bool:
    """The one definition: a folder with a Dockerfile and a requirements.txt."""
    return (folder / "Dockerfile").is_file() and (folder / "requirements.txt").is_file()


def discover_services(root: Path) -> list[Path]:
    candidates = [p for p in root.iterdir() if p.is_dir() and p.name not in NOT_SERVICES]
    services_dir = root / "services"
    if services_dir.is_dir():
        candidates += [p for p in services_dir.iterdir() if p.is_dir()]
    found = [p for p in candidates if not p.name.startswith(".") and is_service(p)]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def read_pin(root: Path, service_dir: Path) -> Pin:
    req = service_dir / "requirements.txt"
    rel = req.relative_to(root)
    text = req.read_text(encoding="utf-8")
    pins = list(_PIN.finditer(text))
    mentions = [line for line in text.splitlines() if _MENTION.search(line.split("#", 1)[0])]
    if len(pins) != 1 or len(mentions) != 1:
        what = (
            "no `ytcaption-common==X.Y.Z` pin"
            if not pins
            else f"{max(len(pins), len(mentions))} ytcaption-common lines"
        )
        raise PinError(f"{rel} has {what}; exactly one exact pin is required")
    match = pins[0]
    return Pin(service_dir.relative_to(root).as_posix(), req, match["version"], HOLD_MARKER in match["tail"])


def read_pins(root: Path) -> list[Pin]:
    services = discover_services(root)
    if not services:
        raise PinError(f"no services found under {root} (folders with a Dockerfile and a requirements.txt)")
    return [read_pin(root, s) for s in services]


def rewrite_pin(text: str, version: str, hashes: list[str] | None = None) -> str:
    """The same text with the pin moved to ``version``; hash lines that follow a
    pin (`--require-hashes` style) are replaced by ``hashes``. Nothing else changes."""
    match = _PIN.search(text)
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
