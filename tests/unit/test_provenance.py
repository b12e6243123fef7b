"""The provenance record's pure parts: the upload comment both ways, what the index keeps and
shows, the verdict on one file, and a library tree's state (real git, a throwaway repo)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ytc_index import provenance as index_provenance
from ytc_index.pages import FileFacts, render_project
from ytc_release.pipeline.build import Artifact
from ytc_release.provenance.prove import DIFFERS, REPRODUCED, compare
from ytc_release.provenance.served import ServedFile
from ytc_release.provenance.source import SourceState, source_state, upload_comment

COMMIT = "a" * 40
TOOLCHAIN = ["python CPython 3.11.9", "hatchling 1.27.0", "SOURCE_DATE_EPOCH 1700000000"]


def test_a_comment_carries_the_record_and_reads_back() -> None:
    comment = index_provenance.render_comment(COMMIT, "clean", TOOLCHAIN)
    assert comment.startswith("ytc-provenance/1 {")
    assert index_provenance.parse_comment(comment) == {"commit": COMMIT, "tree": "clean", "toolchain": TOOLCHAIN}
    dirty = index_provenance.parse_comment(index_provenance.render_comment(COMMIT, "dirty", [], ["common/x.py"]))
    assert dirty == {"commit": COMMIT, "tree": "dirty", "toolchain": [], "changed": ["common/x.py"]}


@pytest.mark.parametrize(
    "comment",
    [
        None,
        "",
        "released by hand",  # any other client's comment
        "ytc-provenance/1 {not json",
        "ytc-provenance/1 []",
        'ytc-provenance/1 {"commit": "abc", "tree": "clean", "toolchain": []}',  # not a full object name
        f'ytc-provenance/1 {{"commit": "{COMMIT}", "tree": "spotless", "toolchain": []}}',
        f'ytc-provenance/1 {{"commit": "{COMMIT}", "tree": "clean", "toolchain": "hatchling"}}',
        f'ytc-provenance/1 {{"commit": "{COMMIT}", "tree": "clean", "toolchain": [], "signed": true}}',
        f'ytc-provenance/1 {{"commit": "{COMMIT}", "tree": "clean", "toolchain": ["{"x" * 9000}"]}}',
    ],
)
def test_anything_else_in_the_comment_is_no_record(comment: str | None) -> None:
    assert index_provenance.parse_comment(comment) is None


def test_render_refuses_what_parse_would_drop() -> None:
    with pytest.raises(ValueError, match="commit"):
        index_provenance.render_comment("HEAD", "clean", [])


def test_the_index_keeps_records_per_project_and_file(tmp_path: Path) -> None:
    record = {"commit": COMMIT, "tree": "clean", "toolchain": TOOLCHAIN}
    assert index_provenance.record_for(tmp_path, "ytcaption-common", "x-1.0.0.tar.gz") is None
    index_provenance.save(tmp_path, "ytcaption-common", "x-1.0.0.tar.gz", record)
    index_provenance.save(tmp_path, "ytcaption-common", "x-1.0.0-py3-none-any.whl", record | {"tree": "dirty"})
    assert index_provenance.record_for(tmp_path, "ytcaption-common", "x-1.0.0.tar.gz") == record
    both = index_provenance.version_records(
        tmp_path, "ytcaption-common", ["x-1.0.0.tar.gz", "x-1.0.0-py3-none-any.whl", "x-1.0.0-py3-none-any.zip"]
    )
    assert [r and r["tree"] for r in both.values()] == ["clean", "dirty", None]
    assert index_provenance.records_of(tmp_path, "other") == {}


def _facts(name: str) -> FileFacts:
    return FileFacts(name, 1, 1, 1, "0" * 64, "1.0.0", None, None, 1.0)


def test_the_json_page_shows_the_record_under_a_private_key_and_html_does_not() -> None:
    record = {"commit": COMMIT, "tree": "clean", "toolchain": TOOLCHAIN}
    files = [_facts("x-1.0.0.tar.gz"), _facts("x-1.0.0-py3-none-any.whl")]
    html, page = render_project("x", files, {}, {"x-1.0.0.tar.gz": record})
    entries = {f["filename"]: f for f in json.loads(page)["files"]}
    assert entries["x-1.0.0.tar.gz"]["_ytc-provenance"] == record
    assert "_ytc-provenance" not in entries["x-1.0.0-py3-none-any.whl"]
    assert COMMIT not in html.decode()
    assert render_project("x", files, {}) == render_project("x", files, {}, {})


def _artifact(name: str, sha: str) -> Artifact:
    return Artifact(Path(name), sha)


def test_the_verdict_on_one_file() -> None:
    served = ServedFile("x-1.0.0.tar.gz", "http://i/x-1.0.0.tar.gz", "1" * 64, None)
    clean = {"commit": COMMIT, "tree": "clean"}
    same = compare(served, "1" * 64, {"x-1.0.0.tar.gz": _artifact("x-1.0.0.tar.gz", "1" * 64)}, clean)
    assert same.verdict == REPRODUCED and same.ok and "1" * 64 in same.detail
    other = compare(served, "1" * 64, {"x-1.0.0.tar.gz": _artifact("x-1.0.0.tar.gz", "2" * 64)}, clean)
    assert other.verdict == DIFFERS and not other.ok and "2" * 64 in other.detail
    assert other.line().startswith("DIFFERS     x-1.0.0.tar.gz  index serves sha256 1")
    missing = compare(served, "1" * 64, {"x-1.0.1.tar.gz": _artifact("x-1.0.1.tar.gz", "1" * 64)}, clean)
    assert missing.verdict == DIFFERS and "makes no such file" in missing.detail
    dirty = compare(served, "1" * 64, {}, clean | {"tree": "dirty"})
    assert "uncommitted changes" in dirty.detail


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout


def test_source_state_sees_edits_and_new_files_in_the_library_only(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "a.py").write_text("a = 1\n")
    (tmp_path / ".gitignore").write_text("__pycache__/\n")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "one")
    head = _git(tmp_path, "rev-parse", "HEAD").strip()

    assert source_state(tmp_path, "lib") == SourceState(head, ())
    (tmp_path / "lib" / "__pycache__").mkdir()
    (tmp_path / "lib" / "__pycache__" / "a.pyc").write_bytes(b"ignored")
    (tmp_path / "elsewhere.txt").write_text("outside the library\n")
    assert not source_state(tmp_path, "lib").dirty

    (tmp_path / "lib" / "a.py").write_text("a = 2\n")
    (tmp_path / "lib" / "new.py").write_text("")
    state = source_state(tmp_path, "lib")
    assert state.dirty and state.tree == "dirty" and state.changed == ("lib/a.py", "lib/new.py")


def test_a_dirty_record_names_at_most_twenty_paths() -> None:
    state = SourceState(COMMIT, tuple(f"lib/m{i:02}.py" for i in range(25)))
    record = index_provenance.parse_comment(upload_comment(state, TOOLCHAIN))
    assert record is not None and record["tree"] == "dirty"
    assert record["changed"][:2] == ["lib/m00.py", "lib/m01.py"] and record["changed"][-1] == "... and 5 more"
    assert len(record["changed"]) == 21
