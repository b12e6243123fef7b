"""Carrying a `.dockerignore` from the old build context (the repository root) to the new one (the
service folder). A build reads the .dockerignore at its context's root only, so once a service
builds from its own folder the root's patterns stop applying unless they move with it.

Patterns are Docker's (Go filepath.Match per path segment, `**` for any depth, `!` to re-include):
- `services/*/logs/`, `services/se1/data/` -> `logs/`, `data/` when they match this service's path;
- patterns that name other folders of the root (`scripts/`, `services/se2/x`) are dropped;
- patterns of no folder in particular (`__pycache__/`, `*.pyc`, `**/*.log`, `.git/`) are kept: at the
  root they were meant for the whole tree, which is now this folder."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

HEADER = "# carried from {origin} by `ytc-release migrate` (the build context is now this folder)"


@dataclass
class Carried:
    patterns: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # patterns for other folders of the old context


def _segments(pattern: str) -> list[str]:
    return [s for s in pattern.strip("/").split("/") if s not in {"", "."}]


def carry(text: str, service_rel: str, root_entries: set[str]) -> Carried:
    """The patterns of the old context's .dockerignore ``text`` as they apply inside the service folder
    ``service_rel`` (relative to the old context; ``root_entries``: the names at the old context's top)."""
    carried = Carried()
    service = _segments(service_rel)
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        body = line[1:].strip() if negate else line
        trailing = "/" if body.endswith("/") else ""
        segments = _segments(body)
        if not segments:
            continue
        if segments[0] == "**" or (len(segments) == 1 and segments[0] not in root_entries):
            carried.patterns.append(line)  # of no folder in particular
            continue
        if len(segments) == 1 and segments[0].startswith(".") and segments[0] not in service:
            carried.patterns.append(line)  # .git/, .vscode/: tool folders wherever they are
            continue
        if len(segments) > len(service) and all(
            fnmatch.fnmatchcase(mine, theirs) for mine, theirs in zip(service, segments, strict=False)
        ):
            rest = "/".join(segments[len(service) :]) + trailing
            carried.patterns.append(("!" if negate else "") + rest)
        else:
            carried.dropped.append(line)
    return carried


def merge(existing: str | None, patterns: list[str], origin: str) -> str | None:
    """``existing`` (the service folder's .dockerignore, or None) with the patterns it lacks appended
    under a header; None when nothing is missing."""
    have = {line.strip() for line in (existing or "").splitlines()}
    missing = [p for p in dict.fromkeys(patterns) if p not in have]
    if not missing:
        return None
    head = (existing or "").rstrip("\n")
    block = "\n".join([HEADER.format(origin=origin), *missing]) + "\n"
    return (head + "\n\n" + block) if head else block


def root_names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()
