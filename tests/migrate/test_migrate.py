"""`ytc-release migrate` on a repository shaped like the real services."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.migrate.bind_check import check
from tests.migrate.upstream_tree import SERVICES, build, snapshot
from tests.support.cli import run_cli
from ytc_release.checks.repository import dockerfile_problems
from ytc_release.paths import Layout
from ytc_release.project import load as load_project
from ytc_release.services.pins import read_pin
from ytc_release.toolkit import dockerfile

# this repository's own table: the old-layout tree has none, so migrate reads the tool's checkout
PROJECT = load_project(Path(__file__).resolve().parents[2])


@pytest.fixture
def tree(repo_root: Path, tmp_path: Path) -> Path:
    return build(tmp_path / "upstream", repo_root)


def migrate(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINE_", "YTC_", "PIP_INDEX"))}
    # no index at all, not even a developer's running embedded one (migrate falls back to this checkout's)
    env["YTC_INDEX_HOME"] = str(tree.parent / "no-index")
    return run_cli("migrate", *args, cwd=tree, env=env, timeout=300)


def test_dry_run_prints_a_diff_and_writes_nothing(tree: Path) -> None:
    before = snapshot(tree)
    result = migrate(tree, "--dry-run", "--version", "2.0.0", *SERVICES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot(tree) == before
    out = result.stdout
    assert "--- a/services/video-downloader/requirements.txt" in out and "+ytcaption-common==2.0.0" in out
    assert "-COPY common/ ./common/" in out and "deleted: orchestrator/common/" in out
    assert "+from ytcaption_common.log_utils import setup_structured_logging, get_logger" in out
    assert "dry run: nothing was written" in out


def test_migrate_converts_every_shape_and_reports_what_it_leaves(tree: Path) -> None:
    result = migrate(tree, "--version", "2.0.0", *SERVICES)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for service in SERVICES:
        folder = tree / service
        assert not (folder / "common").exists()
        assert read_pin(Layout(tree, given=PROJECT), folder).version == "2.0.0"
        for path in folder.glob("Dockerfile*"):
            text = path.read_text()
            assert dockerfile_problems(path.name, text, "ytcaption-common") == []
            # built from the folder itself (the master common/ above is not a build context): no rebase, no lock
            assert "requirements.lock" not in text and "does not exist" not in out, path
            steps = [i for i in dockerfile.parse(text) if dockerfile.installs_requirements(i)]
            assert steps and all(dockerfile.has_pipconf_mount(i) for i in steps), path
        compose = YAML(typ="safe").load((folder / "docker-compose.yml").read_text())
        assert compose["secrets"]["pipconf"]
        for name, svc in compose["services"].items():
            assert "build" not in svc or "pipconf" in svc["build"]["secrets"], name
        sources = "".join(p.read_text() for p in folder.rglob("*.py"))
        assert not re.search(r"\b(from|import)\s+common\b|(?<![\w.])common\.", sources), service
    assert (tree / "common").is_dir()  # the master stays: other repositories may still read it
    # the orchestrator installs requirements-docker.txt in its image: it must carry the pin too
    assert "ytcaption-common==2.0.0" in (tree / "orchestrator/requirements-docker.txt").read_text()
    assert "cd /app/common" not in (tree / "orchestrator/Dockerfile").read_text()
    assert "orchestrator/run.py:9: edits sys.path" in out
    assert "services/youtube-search/Dockerfile.test:1: base image python:3.9-slim has Python 3.9" in out
    assert "ubuntu:22.04" not in out  # Python 3.10 is supported
    assert "scripts/distribute_common.sh:1: copies common/" in out
    assert "services/youtube-search/app/legacy.py:1: imports ytcaption_common.logging, which the" in out
    assert "imports ytcaption_common.log_utils, which" not in out
    assert "next: ytc-release smoke orchestrator services/video-downloader" in out


def test_every_migrated_call_binds_to_the_library(tree: Path) -> None:
    assert migrate(tree, "--version", "2.0.0", *SERVICES).returncode == 0
    result = check([tree / s for s in SERVICES])
    assert result.calls["setup_structured_logging"] == len(SERVICES) and result.calls["ResilientRedisStore"]
    assert result.bound == sum(result.calls.values())
    # the one import of a module that is not the library's (an older copy's `common.logging`) is named
    assert result.problems == [
        f"{tree}/services/youtube-search/app/legacy.py:1: from ytcaption_common.logging import ...: "
        "No module named 'ytcaption_common.logging'"
    ]


def test_a_second_run_changes_nothing(tree: Path) -> None:
    assert migrate(tree, "--version", "2.0.0", *SERVICES).returncode == 0
    after_first = snapshot(tree)
    again = migrate(tree, "--version", "2.0.0", *SERVICES)
    assert again.returncode == 0
    assert snapshot(tree) == after_first
    assert again.stdout.count("nothing to change") == len(SERVICES)


def test_a_modified_copy_is_refused_and_force_overrides(tree: Path) -> None:
    changed = tree / "services/video-downloader/common/log_utils/__init__.py"
    changed.write_text(changed.read_text() + "\nLOCAL_FIX = True\n")
    (tree / "services/video-downloader/common/extra.py").write_text("x = 1\n")
    before = snapshot(tree)
    result = migrate(tree, "--version", "2.0.0", "services/video-downloader", "services/youtube-search")
    assert result.returncode == 1
    assert "REFUSED" in result.stdout
    assert "services/video-downloader/common/log_utils/__init__.py (differs from common/log_utils/__init__.py)" in (
        result.stdout
    )
    assert "services/video-downloader/common/extra.py (only in the copy)" in result.stdout
    assert "refused services/video-downloader" in result.stderr and "--force" in result.stderr + result.stdout
    after = snapshot(tree)
    vd = {k: v for k, v in after.items() if k.startswith("services/video-downloader/")}
    assert vd == {k: v for k, v in before.items() if k.startswith("services/video-downloader/")}
    assert not (tree / "services/youtube-search/common").exists()  # the other service went ahead

    forced = migrate(tree, "--version", "2.0.0", "--force", "services/video-downloader")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "2 file(s) differ" in forced.stdout and not (tree / "services/video-downloader/common").exists()


def test_a_folder_that_is_not_a_service_is_an_error(tree: Path) -> None:
    result = migrate(tree, "--version", "2.0.0", "scripts")
    assert result.returncode == 1
    assert "scripts is not a service folder (it needs a requirements.txt and a Dockerfile at or below" in result.stderr


def test_without_version_or_index_it_takes_the_source_version_and_says_so(tree: Path) -> None:
    # run from the services' own repository: the version comes from the checkout the tool runs from
    from ytc_release.settings import Settings
    from ytc_release.version import read_version

    version = read_version(Settings.resolve().lay.version_file)
    result = migrate(tree, "--dry-run", "services/youtube-search")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"version: {version}, the source version (no index is configured or running" in result.stdout


def test_without_version_index_or_checkout_it_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    # a tool installed outside any ytcaption checkout, no index configured
    from ytc_release.migration import migrate as migrate_module
    from ytc_release.settings import Settings
    from ytc_release.toolkit.report import Reporter

    for name in [k for k in os.environ if k.startswith(("TWINE_", "YTC_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setattr(migrate_module, "tool_layout", lambda settings: None)
    with pytest.raises(migrate_module.MigrateError) as raised:
        migrate_module.default_version(Settings.resolve(), "ytcaption-common", Reporter())
    assert "pass --version X.Y.Z" in raised.value.fix and "YTC_REPO_ROOT" in raised.value.fix


def test_in_this_repository_the_master_is_the_library_source(repo_root: Path, tmp_path: Path) -> None:
    from ytc_release.migration.migrate import local_changes, master_common

    service = tmp_path / "repo/services/legacy"
    shutil.copytree(repo_root / "common/src/ytcaption_common", tmp_path / "repo/common/src/ytcaption_common")
    shutil.copytree(repo_root / "common/src/ytcaption_common", service / "common")
    master = master_common(service, "ytcaption_common")
    assert master == tmp_path / "repo/common/src/ytcaption_common"
    assert local_changes(service / "common", master) == []
