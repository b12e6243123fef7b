"""The files this machine has rebuilt, bit for bit, from their recorded commit: one JSON
line per file, keyed by its sha256, in the user's cache (YTC_PROVENANCE_CACHE overrides).
`provenance` appends; `lock --require-provenance` and `check` read. Deleting it only means
the next `provenance` run proves the files again."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

from ytc_index.files import append_json_line
from ytc_release.toolkit.caches import cache_root

FILE = "reproduced.jsonl"


def store_path() -> Path:
    return cache_root("provenance", "YTC_PROVENANCE_CACHE") / FILE


def remember(sha256: str, filename: str, commit: str, index: str) -> None:
    path = store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    append_json_line(path, {"sha256": sha256, "file": filename, "commit": commit, "index": index, "time": time.time()})


def reproduced_hashes() -> set[str]:
    try:
        lines = store_path().read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return set()
    found = set()
    for line in lines:
        with contextlib.suppress(ValueError, TypeError, KeyError):
            found.add(str(json.loads(line)["sha256"]))
    return found
