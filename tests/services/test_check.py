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
            "services/youtube-search/Dockerfile:{last}: copies common/",
        ),
        (
            lambda r: _append(r / "services/youtube-search/Dockerfile", "COPY ../common /srv/common/\n"),
            "services/youtube-search/Dockerfile:{last}: copies common/",
        ),
        (
            lambda r: _append(r / "orchestrator/Dockerfile", "COPY shared/common /srv/common/\n"),
            "orchestrator/Dockerfile:{last}: copies common/",
        ),
        (
            lambda r: _append(
                r / "services/audio-normalization/requirements.txt", "--extra-index-url http://127.0.0.1:1/simple/\n"
            ),
            "services/audio-normalization/requirements.txt:8: uses --extra-index-url",
        ),
        (lambda r: _append(r / "orchestrator/Dockerfile", "RUN apt-get install -y curl\n"), "hadolint"),
        (lambda r: _append(r / "orchestrator/docker-compose.yml", "  bogus_key: true\n"), "compose-spec"),
        (
            lambda r: _append(r / "services/youtube-search/requirements.txt", "idna==3.10\n"),
            "services/youtube-search: requirements.txt changed since requirements.lock was compiled",
        ),
        (lambda r: (r / "orchestrator/requirements.lock").unlink(), "orchestrator: no requirements.lock"),
        (
            lambda r: _append(r / "orchestrator/Dockerfile", "RUN pip install --no-cache-dir -r requirements.txt\n"),
            "orchestrator/Dockerfile:{last}: pip install without --require-hashes",
        ),
    ],
    ids=[
        "copied-folder",
        "copy-script",
        "editable-path",
        "copy-in-dockerfile",
        "copy-parent-common",
        "copy-shared-common",
        "extra-index-url",
        "hadolint",
        "compose-schema",
        "stale-lock",
        "missing-lock",
        "install-without-hashes",
    ],
)
def test_a_regression_fails_and_names_the_file(ws: Workspace, damage, named: str) -> None:
    damage(ws.root)
    if "{last}" in named:  # the appended line's number
        named = named.replace("{last}", str(len((ws.root / named.split(":{last}")[0]).read_text().splitlines())))
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


def test_a_file_swapped_on_the_index_fails_the_lock_check(ws: Workspace) -> None:
    assert ws.ytc("release", "--skip-tests").returncode == 0
    assert ws.ytc("check", "--no-tools").returncode == 0
    (wheel,) = ws.index.packages.glob(f"ytcaption_common-{V}-*.whl")
    # Storage-level tampering behind the index's upload checks: another file renamed into place.
    swapped = wheel.with_name("swapped.tmp")
    swapped.write_bytes(wheel.read_bytes() + b"tampered")
    swapped.replace(wheel)
    result = ws.ytc("check", "--no-tools")
    assert result.returncode == 1
    assert f"services/video-downloader/requirements.lock: the index serves {wheel.name}" in result.stdout
    assert "FAIL locked ytcaption-common hashes are the files the index serves" in result.stdout


def test_without_any_index_the_pin_check_says_what_to_do(ws: Workspace) -> None:
    result = ws.ytc("check", "--no-tools")
    assert result.returncode == 1
    assert "ytc-release index up" in result.stdout and "--offline" in result.stdout


def test_offline_check_still_reports_a_broken_pin(ws: Workspace) -> None:
    (ws.root / "orchestrator/requirements.txt").write_text("fastapi==0.165.0\n")
    result = ws.ytc("check", "--offline", "--no-tools")
    assert result.returncode == 1
    assert (
        "orchestrator/requirements.txt does not pin ytcaption-common" in result.stdout
        and "ytc-release migrate orchestrator" in result.stdout
    )


def test_a_comment_mentioning_common_after_a_copy_is_not_a_copy(ws: Workspace) -> None:
    _append(ws.root / "orchestrator/Dockerfile", "COPY app/ ./extra/\n# ytcaption-common comes from the index\n")
    result = ws.ytc("check", "--offline", "--no-tools")
    assert result.returncode == 0, result.stdout


def test_a_service_without_app_folder_is_still_a_service(ws: Workspace) -> None:
    svc = ws.root / "services/flat"
    svc.mkdir()
    (svc / "Dockerfile").write_text('FROM python:3.11-slim\nCOPY . .\nCMD ["python", "main.py"]\n')
    (svc / "requirements.txt").write_text("ytcaption-common==1.0.0\n")
    (svc / "common").mkdir()
    result = ws.ytc("check", "--offline", "--no-tools")
    assert result.returncode == 1
    assert "services/flat: holds a copied `common/`" in result.stdout
    assert "index" not in [line.split(":")[0].strip() for line in result.stdout.splitlines()]
