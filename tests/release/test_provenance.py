"""Provenance end to end: real git, a real index process, real twine. A release names its
commit on the index and is tagged; `ytc-release provenance` rebuilds that commit in a clean
worktree and compares with the served bytes. A file swapped on the index, a release forced
from a dirty tree and a version uploaded without a record all fail the check, by file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.index import make_wheel, twine_upload
from tests.support.pythons import SUPPORTED, present_pythons
from tests.support.workspace import Workspace, make_workspace
from ytc_release.pipeline.build import sha256_of
from ytc_release.toolkit.runner import clean_pip_env
from ytc_release.version import read_version

DIST = "ytcaption-common"
JSON_PAGE = "application/vnd.pypi.simple.v1+json"


@pytest.fixture(scope="module")
def ws(repo_root: Path, tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("provenance")
    workspace = make_workspace(repo_root, base)
    cache = base / "provenance-cache"
    original = workspace.ytc

    def ytc(*args: str, **extra: str):  # every run shares this workspace's record of reproduced files
        return original(*args, **{"YTC_PROVENANCE_CACHE": str(cache), **extra})

    workspace.ytc = ytc  # type: ignore[method-assign]
    released = workspace.ytc("release", "--skip-tests")
    assert released.returncode == 0, released.stdout + released.stderr
    yield workspace
    workspace.index.down()


def version(ws: Workspace) -> str:
    return read_version(ws.root / "common/src/ytcaption_common/__init__.py")


def json_files(ws: Workspace) -> dict[str, dict]:
    url = ws.index.url()
    assert url is not None
    _, user, password = ws.index.credentials()
    resp = requests.get(f"{url}simple/{DIST}/", headers={"Accept": JSON_PAGE}, auth=(user, password), timeout=10)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith(JSON_PAGE)
    return {f["filename"]: f for f in resp.json()["files"]}


def lines_of(output: str, verdict: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.strip().startswith(verdict)]


def test_a_clean_release_is_recorded_tagged_and_reproduces(ws: Workspace) -> None:
    v = version(ws)
    head = ws.git("rev-parse", "HEAD").strip()
    built = {p.name: sha256_of(p) for p in (ws.root / "dist").glob(f"ytcaption_common-{v}*")}
    files = json_files(ws)
    assert len(built) == 2
    for name in built:
        record = files[name]["_ytc-provenance"]  # PEP 700: a private key of the index
        assert record["commit"] == head and record["tree"] == "clean"
        assert any(line.startswith("hatchling ") for line in record["toolchain"])
        assert "changed" not in record
    journal = [json.loads(line) for line in (ws.index_home / "state/uploads.jsonl").read_text().splitlines()]
    assert {r["file"] for r in journal if r.get("provenance", {}).get("commit") == head} == set(built)
    assert ws.git("rev-parse", f"common-v{v}^{{commit}}").strip() == head  # the release tag, on the commit built

    checked = ws.ytc("provenance", v)
    out = checked.stdout + checked.stderr
    assert checked.returncode == 0, out
    assert sorted(line.split()[1] for line in lines_of(out, "reproduced")) == sorted(built)
    assert not lines_of(out, "DIFFERS")
    assert not ws.git("worktree", "list", "--porcelain").count("\nworktree ")  # the temporary worktree is gone


def test_lock_requires_provenance_and_check_reports_unproven_locks(ws: Workspace, tmp_path: Path) -> None:
    v = version(ws)
    empty = {"YTC_PROVENANCE_CACHE": str(tmp_path / "nothing-reproduced")}
    refused = ws.ytc("lock", "--require-provenance", "orchestrator", **empty)
    assert refused.returncode == 1
    assert "nothing was locked" in refused.stderr and f"{DIST}=={v}" in refused.stderr
    assert "ytc-release provenance" in refused.stderr

    noted = ws.ytc("check", "--no-tools", **empty)
    assert noted.returncode == 0, noted.stdout + noted.stderr
    assert f"locks {DIST}=={v} with 2 file hash(es) not reproduced" in noted.stdout
    failed = ws.ytc("check", "--no-tools", "--require-provenance", **empty)
    assert failed.returncode == 1 and "FAIL locked library files were reproduced" in failed.stdout

    assert ws.ytc("provenance", v).returncode == 0  # remembers what it reproduced
    locked = ws.ytc("lock", "--require-provenance", "orchestrator")
    assert locked.returncode == 0, locked.stdout + locked.stderr
    proven = ws.ytc("check", "--no-tools", "--require-provenance")
    assert proven.returncode == 0, proven.stdout + proven.stderr
    assert "not reproduced" not in proven.stdout


def test_a_file_swapped_on_the_index_differs(ws: Workspace, tmp_path: Path) -> None:
    assert ws.ytc("bump", "minor").returncode == 0
    ws.commit_all("bump minor")
    v = version(ws)
    assert ws.ytc("release", "--skip-tests").returncode == 0
    wheel = next((ws.root / "dist").glob(f"ytcaption_common-{v}-*.whl"))
    # The operator's shell (or an intruder) puts other bytes under the same name.
    other = make_wheel(tmp_path / "other", version=v, payload=b"not what the commit builds")
    shutil.copyfile(other, tmp_path / "swap")
    os.replace(tmp_path / "swap", ws.index.packages / wheel.name)

    checked = ws.ytc("provenance", v)
    out = checked.stdout + checked.stderr
    assert checked.returncode == 1, out
    differs = lines_of(out, "DIFFERS")
    assert len(differs) == 1 and wheel.name in differs[0] and sha256_of(wheel) in differs[0]
    assert [line.split()[1] for line in lines_of(out, "reproduced")] == [f"ytcaption_common-{v}.tar.gz"]
    assert "not reproduced from their recorded commit" in out


def test_a_release_from_a_dirty_tree_is_refused_then_marked_and_not_reproducible(ws: Workspace) -> None:
    head = ws.git("rev-parse", "HEAD").strip()
    assert ws.ytc("bump", "patch").returncode == 0  # uncommitted: the library's folder is dirty
    v = version(ws)
    refused = ws.ytc("release", "--skip-tests")
    assert refused.returncode == 1
    assert "not committed" in refused.stderr and "--allow-dirty" in refused.stderr
    assert not any(name.startswith(f"ytcaption_common-{v}") for name in json_files(ws))  # nothing uploaded

    forced = ws.ytc("release", "--skip-tests", "--allow-dirty")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    files = {n: f for n, f in json_files(ws).items() if n.startswith(f"ytcaption_common-{v}")}
    assert len(files) == 2
    for entry in files.values():
        record = entry["_ytc-provenance"]
        assert record["commit"] == head and record["tree"] == "dirty"
        assert "common/src/ytcaption_common/__init__.py" in record["changed"]
    assert ws.git("tag", "--list", f"common-v{v}").strip() == ""  # no tag claims a commit that lacks the files

    checked = ws.ytc("provenance", v)
    out = checked.stdout + checked.stderr
    assert checked.returncode == 1, out
    differs = lines_of(out, "DIFFERS")
    assert len(differs) == 2 and all("uncommitted changes" in line for line in differs)
    ws.git("checkout", "--", "common")  # leave the tree clean for the next test


def test_a_version_uploaded_without_a_record_is_reported(ws: Workspace, tmp_path: Path) -> None:
    _, user, password = ws.index.credentials()
    url = ws.index.url()
    assert url is not None
    bare = make_wheel(tmp_path / "bare", version="9.9.9")
    uploaded = twine_upload(url, [bare], user, password)
    assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr
    assert "_ytc-provenance" not in json_files(ws)[bare.name]

    checked = ws.ytc("provenance", "9.9.9")
    out = checked.stdout + checked.stderr
    assert checked.returncode == 1
    assert lines_of(out, "NO RECORD") == [f"NO RECORD   {bare.name}  uploaded without a provenance record"]

    everything = ws.ytc("provenance", "--all")
    out = everything.stdout + everything.stderr
    assert everything.returncode == 1
    assert len(lines_of(out, "NO RECORD")) == 1 and len(lines_of(out, "DIFFERS")) == 3
    assert len(lines_of(out, "reproduced")) == 3  # the first release and the unswapped sdist

    missing = ws.ytc("provenance", "8.8.8")
    assert missing.returncode == 1 and "holds no file of this version" in missing.stdout


def _other_python() -> tuple[str, str]:
    """A supported Python other than the one running the tests (the oldest: tomli, not tomllib)."""
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    others = {v: p for v, p in present_pythons().items() if v != running}
    assert others, f"only Python {running} is installed; the supported range is {', '.join(SUPPORTED)}"
    version = min(others, key=lambda v: tuple(map(int, v.split("."))))
    return version, others[version]


@pytest.mark.slow
def test_a_fresh_clone_on_another_python_reproduces_the_release(ws: Workspace, repo_root: Path, tmp_path: Path) -> None:
    python_version, python = _other_python()
    env = clean_pip_env()
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, env=env)
    tool = str(venv / "bin" / "python")
    for args in (
        ["--require-hashes", "--no-deps", "-r", str(repo_root / "requirements.lock")],
        ["--no-deps", "--no-build-isolation", "-e", str(repo_root)],
    ):
        installed = subprocess.run(
            [tool, "-m", "pip", "install", "-q", *args], env=env, capture_output=True, text=True, check=False
        )
        assert installed.returncode == 0, installed.stdout + installed.stderr

    clone = tmp_path / "fresh"
    subprocess.run(["git", "clone", "-q", str(ws.root), str(clone)], check=True)
    v = read_version(repo_root / "common/src/ytcaption_common/__init__.py")  # the module's first release
    checked = subprocess.run(
        # The console script: its sys.path starts at the venv, never at the clone (3.10 has no -P).
        [str(venv / "bin" / "ytc-release"), "provenance", v],
        cwd=clone,
        env=ws.env(YTC_REPO_ROOT=str(clone), YTC_PROVENANCE_CACHE=str(tmp_path / "cache")),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = checked.stdout + checked.stderr
    assert checked.returncode == 0, f"Python {python_version}:\n{out}"
    assert len(lines_of(out, "reproduced")) == 2, out
