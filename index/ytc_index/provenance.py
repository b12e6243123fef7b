"""Where an uploaded file came from, as its uploader said: the commit it was built from, whether
the library's tree was clean, and the toolchain that built it.

It travels in the upload form's standard `comment` field (twine's `--comment`), as
`ytc-provenance/1 {json}`, so no new protocol is needed and a stock index simply ignores it.
The index keeps the record in its upload journal and, for the pages, in
`<state>/provenance/<project>.json` ({filename: record}), written under the upload lock.
The JSON simple page shows it per file under the private key `_ytc-provenance` (PEP 700:
keys with a leading underscore are reserved for the index's own use).

The record is a claim by the account that uploaded, not a proof: `ytc-release provenance`
rebuilds the commit and compares the bytes."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import Any

from ytc_index.files import replace_file

COMMENT_PREFIX = "ytc-provenance/1 "
PAGE_KEY = "_ytc-provenance"
FOLDER = "provenance"
TREE_STATES = ("clean", "dirty")
# A record is a few hundred bytes; anything much larger is not one of ours.
MAX_COMMENT = 8192
_COMMIT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")  # SHA-1 or SHA-256 repositories
_MAX_LINES = 64
_MAX_LINE = 300


def render_comment(commit: str, tree: str, toolchain: list[str], changed: list[str] | None = None) -> str:
    """The `comment` field an upload carries; `parse_comment` reads it back."""
    record: dict[str, Any] = {"commit": commit, "tree": tree, "toolchain": toolchain}
    if changed:
        record["changed"] = changed
    problem = _problem(record)
    if problem:
        raise ValueError(problem)
    return COMMENT_PREFIX + json.dumps(record, separators=(",", ":"), sort_keys=True)


def _strings(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) <= _MAX_LINES
        and all(isinstance(v, str) and len(v) <= _MAX_LINE for v in value)
    )


def _problem(record: dict[str, Any]) -> str | None:
    if set(record) - {"commit", "tree", "toolchain", "changed"}:
        return f"unknown keys {sorted(set(record) - {'commit', 'tree', 'toolchain', 'changed'})}"
    if not isinstance(record.get("commit"), str) or not _COMMIT.match(record["commit"]):
        return "commit is not a full hexadecimal git object name"
    if record.get("tree") not in TREE_STATES:
        return f"tree is not one of {TREE_STATES}"
    if not _strings(record.get("toolchain")):
        return f"toolchain is not a list of at most {_MAX_LINES} short strings"
    if "changed" in record and not _strings(record["changed"]):
        return f"changed is not a list of at most {_MAX_LINES} short strings"
    return None


def parse_comment(comment: str | None) -> dict[str, Any] | None:
    """The record in an upload's `comment`; None when it carries none or a malformed one
    (an upload is never refused for its comment: a stock client may send any text)."""
    if not comment or len(comment) > MAX_COMMENT or not comment.startswith(COMMENT_PREFIX):
        return None
    try:
        record = json.loads(comment[len(COMMENT_PREFIX) :])
    except ValueError:
        return None
    if not isinstance(record, dict) or _problem(record):
        return None
    return record


def _path(state: Path, project: str) -> Path:
    return state / FOLDER / f"{project}.json"


def records_of(state: Path, project: str) -> dict[str, dict[str, Any]]:
    """{filename: record} of a project's files that were uploaded with one."""
    with contextlib.suppress(FileNotFoundError, ValueError):
        data = json.loads(_path(state, project).read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if isinstance(v, dict)}
    return {}


def record_for(state: Path, project: str, filename: str) -> dict[str, Any] | None:
    """The record of one file (for the project pages), or None when it came without one."""
    return records_of(state, project).get(filename)


def version_records(state: Path, project: str, version_files: list[str]) -> dict[str, dict[str, Any] | None]:
    """{filename: record or None} for the files of one version (for the project pages)."""
    records = records_of(state, project)
    return {name: records.get(name) for name in version_files}


def save(state: Path, project: str, filename: str, record: dict[str, Any]) -> None:
    """Keep a file's record for its pages. Call under the upload lock (one writer)."""
    records = records_of(state, project)
    records[filename] = record
    path = _path(state, project)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(records, indent=1, sort_keys=True) + "\n"
    replace_file(path, data.encode(), mode=0o644)
