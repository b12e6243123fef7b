"""`ytc-release check` fails, naming the file, when a copy or an unsafe install comes back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.versions import V
from tests.support.workspace import Workspace, make_workspace


@pytest.fixture
def ws(repo_root: Path, tmp_path: Path):
    workspace = make_workspace(repo_root, tmp_path)
    yield workspace
    workspace.index.down()


def test_the_repository_passes(ws: Workspace) -> None:
    result = ws.ytc("check", "--offline")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAIL" not in result.stdout
    assert result.stdout.count("ok  ") >= 5


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (
            lambda r: (r / "services/video-downloader/common").mkdir(),
            "services/video-downloader: holds a copied `common/`",
        ),
        (lambda r: (r / "distribute_common.sh").write_text("cp -r common services/\n"), "distribute_common.sh"),
        (lambda r: _append(r / "orchestrator/requirements.txt", "-e ./common\n"), "orchestrator/requirements.txt"),
        (
            lambda r: _append(r / "services/youtube-search/Dockerfile", "COPY common/ /srv/common/\n"),
            "services/youtube-search/Dockerfile: copies common/",
        ),
        (
            lambda r: _append(
                r / "services/audio-normalization/requirements.txt", "--extra-index-url http://127.0.0.1:1/simple/\n"
            ),
            "services/audio-normalization/requirements.txt:8: uses --extra-index-url",
        ),
        (lambda r: _append(r / "orchestrator/Dockerfile", "RUN apt-get install -y curl\n"), "hadolint"),
        (lambda r: _append(r / "orchestrator/docker-compose.yml", "  bogus_key: true\n"), "compose-spec"),
    ],
    ids=[
        "copied-folder",
        "copy-script",
        "editable-path",
        "copy-in-dockerfile",
        "extra-index-url",
        "hadolint",
        "compose-schema",
    ],
)
def test_a_regression_fails_and_names_the_file(ws: Workspace, damage, named: str) -> None:
    damage(ws.root)
    result = ws.ytc("check", "--offline")
    assert result.returncode == 1
    assert named in result.stdout, result.stdout
    assert "check(s) failed" in result.stderr


def test_a_pin_missing_from_the_index_fails(ws: Workspace) -> None:
    assert ws.ytc("release", "--skip-tests").returncode == 0
    assert ws.ytc("check", "--no-tools").returncode == 0
    req = ws.root / "services/youtube-search/requirements.txt"
    req.write_text(req.read_text().replace(f"ytcaption-common=={V}", "ytcaption-common==9.9.9"))
    result = ws.ytc("check", "--no-tools")
    assert result.returncode == 1
    assert "services/youtube-search/requirements.txt: pins ytcaption-common==9.9.9" in result.stdout
    status = ws.ytc("status")
    assert status.returncode == 1 and "NOT ON THE INDEX" in status.stdout


def test_without_any_index_the_pin_check_says_what_to_do(ws: Workspace) -> None:
    result = ws.ytc("check", "--no-tools")
    assert result.returncode == 1
    assert "make index-up" in result.stdout and "--offline" in result.stdout


def test_offline_check_still_reports_a_broken_pin(ws: Workspace) -> None:
    (ws.root / "orchestrator/requirements.txt").write_text("fastapi==0.165.0\n")
    result = ws.ytc("check", "--offline", "--no-tools")
    assert result.returncode == 1
    assert "orchestrator/requirements.txt has no `ytcaption-common==X.Y.Z` pin" in result.stdout
