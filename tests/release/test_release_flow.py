"""`ytc-release release` end to end against a live embedded index: the happy
path, the no-op, a bump, and every failure leaving pins and index as they were."""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

import pytest

from tests.support.index import make_wheel, twine_upload
from tests.support.net import free_port
from tests.support.venvs import make_venv, pip, run_python
from tests.support.versions import V_MINOR, V_PATCH, V_UNRELEASED, V
from tests.support.workspace import Workspace, make_workspace
from ytc_release.index.client import project_files
from ytc_release.pipeline.build import sha256_of
from ytc_release.services import locking
from ytc_release.target import embedded_target
from ytc_release.toolkit import web as http

DIST_NAME = "ytcaption-common"  # the example library this repository releases


@pytest.fixture
def ws(repo_root: Path, tmp_path: Path):
    workspace = make_workspace(repo_root, tmp_path)
    yield workspace
    workspace.index.down()
    password = _password(workspace)
    for output in workspace.outputs:  # no secret in any output, whatever the test did
        assert password is None or password not in output


def _password(ws: Workspace) -> str | None:
    return ws.index.credentials()[2] if ws.index.pypirc.exists() else None


def files_on_index(ws: Workspace) -> dict[str, str | None]:
    return {f.filename: f.sha256 for f in project_files(embedded_target(ws.index), "ytcaption-common")}


def test_release_publishes_verifies_is_a_no_op_twice_and_bump_moves_the_pins(ws: Workspace, tmp_path: Path) -> None:
    first = ws.ytc("release", "--skip-tests")
    assert first.returncode == 0, first.stdout + first.stderr
    for step in ("preflight", "tests", "build", "check", "publish", "verify", "pin"):
        assert re.search(rf"<== {step}: ok \(\d+\.\d+s\)", first.stdout)
    on_index = files_on_index(ws)
    built = {p.name: sha256_of(p) for p in (ws.root / "dist").iterdir() if p.suffix in (".whl", ".gz")}
    assert on_index == built and len(built) == 2
    assert "new venv of its dependencies" in first.stdout  # check: the dependencies' venv is filled once
    toolchain = (ws.root / "dist/BUILD-TOOLCHAIN.txt").read_text()  # what built them, beside them
    assert re.search(r"^hatchling \d+\.\d+", toolchain, re.M) and "SOURCE_DATE_EPOCH " in toolchain
    assert all(f"ytcaption-common=={V}\n" in text for text in ws.requirements().values())

    again = ws.ytc("release", "--skip-tests")
    assert again.returncode == 0
    assert "already on the index with identical files" in again.stdout and "uploaded:" not in again.stdout
    assert "cached venv of its dependencies" in again.stdout and "sha256 required" in again.stdout
    assert files_on_index(ws) == on_index

    before = ws.requirements()
    bump = ws.ytc("bump", "patch")
    assert bump.returncode == 0 and f"{V} -> {V_PATCH}" in bump.stdout
    assert f"## [{V_PATCH}]" in (ws.root / "common/CHANGELOG.md").read_text()
    ws.commit_all(f"bump {V_PATCH}")
    third = ws.ytc("release", "--skip-tests")
    assert third.returncode == 0, third.stdout + third.stderr
    assert f"{V} -> {V_PATCH}" in third.stdout
    assert "cached venv of its dependencies" in third.stdout  # a new version, the same dependencies
    after = ws.requirements()
    for service, text in after.items():
        assert text == before[service].replace(f"ytcaption-common=={V}", f"ytcaption-common=={V_PATCH}")
    # Every moved service is re-locked: its lock allows exactly the files the release verified.
    verified = {sha256_of(p) for p in (ws.root / "dist").glob(f"ytcaption_common-{V_PATCH}*") if p.suffix != ".txt"}
    assert len(verified) == 2
    for service, text in after.items():
        lock_text = (ws.root / service / locking.LOCK_FILE).read_text()
        locked = locking.parse_lock(lock_text)[DIST_NAME]
        assert (locked.version, locked.hashes) == (V_PATCH, verified)
        assert locking.stale_reason(text, lock_text) is None
        for written in ("requirements.txt", locking.LOCK_FILE):  # rewritten in place, still readable by all
            assert stat.S_IMODE((ws.root / service / written).stat().st_mode) == 0o644
    assert {n for n in files_on_index(ws)} >= {
        f"ytcaption_common-{V}-py3-none-any.whl",
        f"ytcaption_common-{V_PATCH}-py3-none-any.whl",
    }

    # Old versions stay installable: that is what a rollback pins.
    python = make_venv(tmp_path / "old")
    index_url = embedded_target(ws.index).simple_url
    pip(python, "install", "--quiet", "--no-deps", "--index-url", index_url, f"ytcaption-common=={V}")
    assert run_python(python, "import ytcaption_common; print(ytcaption_common.__version__)") == V

    page = tmp_path / "status.html"
    status = ws.ytc("status", "--html", str(page))
    assert status.returncode == 0 and f"{V}, {V_PATCH}" in status.stdout
    assert page.read_text().count("OK: pins the newest version") == len(after)
    # A person opening the index sees the release just made: its page, its install line, its hashes.
    base = index_url.removesuffix("simple/")
    assert f">{V_PATCH}</td>" in http.get(base).body.decode()
    project_page = http.get(f"{base}project/{DIST_NAME}/").body.decode()
    assert f'<code id="install-line">{DIST_NAME}=={V_PATCH}</code>' in project_page
    assert all(digest in project_page for digest in verified)


def test_held_service_keeps_its_pin(ws: Workspace) -> None:
    req = ws.root / "services/youtube-search/requirements.txt"
    req.write_text(req.read_text().replace(f"ytcaption-common=={V}", f"ytcaption-common=={V}  # ytc: hold"))
    held_lock = (req.parent / locking.LOCK_FILE).read_text()
    assert ws.ytc("bump", "minor").returncode == 0
    ws.commit_all(f"{V_MINOR} with youtube-search held")
    result = ws.ytc("release", "--skip-tests")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"services/youtube-search stays on {V}" in result.stdout
    reqs = ws.requirements()
    assert f"ytcaption-common=={V}  # ytc: hold" in reqs["services/youtube-search"]
    assert f"ytcaption-common=={V_MINOR}" in reqs["orchestrator"]
    assert (req.parent / locking.LOCK_FILE).read_text() == held_lock  # a held service keeps its lock


def _unchanged(ws: Workspace, before: dict[str, str]) -> None:
    assert ws.requirements() == before
    assert ws.git("status", "--porcelain", "--", "orchestrator", "services") == ""


def test_index_down_is_a_clear_error_and_changes_nothing(ws: Workspace) -> None:
    before = ws.requirements()
    result = ws.ytc(
        "release",
        "--skip-tests",
        TWINE_REPOSITORY_URL=f"http://127.0.0.1:{free_port()}/",
        TWINE_USERNAME="u",
        TWINE_PASSWORD="secret-password-1",
    )
    assert result.returncode == 1
    assert "cannot be reached" in result.stderr and "what to do:" in result.stderr
    assert "secret-password-1" not in result.stdout + result.stderr
    _unchanged(ws, before)


def test_wrong_credentials_are_rejected_before_anything_is_uploaded(ws: Workspace) -> None:
    url, _ = ws.index.up(ws.port)
    before = ws.requirements()
    result = ws.ytc(
        "release",
        "--skip-tests",
        TWINE_REPOSITORY_URL=url,
        TWINE_USERNAME="publisher",
        TWINE_PASSWORD="wrong-password-xyz",
    )
    assert result.returncode == 1
    assert "rejected the credentials" in result.stderr and "TWINE_PASSWORD" in result.stderr
    assert "wrong-password-xyz" not in result.stdout + result.stderr
    assert files_on_index(ws) == {}
    _unchanged(ws, before)


def test_the_tests_of_common_run_once_per_source_tree(ws: Workspace) -> None:
    first = ws.ytc("release", "--dry-run")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "the library's tests pass" in first.stdout and re.search(r"<== tests: ok \(\d+\.\d+s\)", first.stdout)
    again = ws.ytc("release", "--dry-run")
    assert again.returncode == 0 and "passed before on this source tree" in again.stdout
    assert "the library's tests pass\n" not in again.stdout
    # An edit not yet committed is a new tree: the tests run again.
    test_file = ws.root / "tests/common/test_models.py"
    test_file.write_text(test_file.read_text() + "\n# edited\n")
    edited = ws.ytc("release", "--dry-run")
    assert edited.returncode == 0 and "the library's tests pass" in edited.stdout
    assert "passed before" not in edited.stdout


def test_failing_tests_stop_the_release(ws: Workspace) -> None:
    (ws.root / "tests/common/test_broken.py").write_text("def test_broken():\n    assert 1 == 2\n")
    before = ws.requirements()
    result = ws.ytc("release")
    assert result.returncode == 1
    assert "the library's tests failed" in result.stderr and "`tests` command of [tool.ytc-release]" in result.stderr
    assert files_on_index(ws) == {}
    _unchanged(ws, before)


def test_a_service_that_cannot_be_locked_stops_the_release_before_publishing(ws: Workspace) -> None:
    dockerfile = ws.root / "services/youtube-search/Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace("FROM python:3.11-slim", "FROM alpine:3.20"))
    ws.commit_all("an image whose Python nobody can tell")
    before = ws.requirements()
    result = ws.ytc("release", "--skip-tests")
    assert result.returncode == 1
    assert "cannot tell which Python the base image 'alpine:3.20' runs" in result.stderr
    assert "YTC_LOCK_PYTHON" in result.stderr  # what to do
    assert "<== preflight: FAILED" in result.stdout
    assert not list(ws.index.packages.glob("ytcaption_common-*"))  # nothing was published
    _unchanged(ws, before)


def test_missing_changelog_entry_stops_the_release(ws: Workspace) -> None:
    version_file = ws.root / "common/src/ytcaption_common/__init__.py"
    version_file.write_text(version_file.read_text().replace(f'"{V}"', f'"{V_UNRELEASED}"'))
    result = ws.ytc("release", "--skip-tests")
    assert result.returncode == 1
    assert f"no entry for {V_UNRELEASED}" in result.stderr and "CHANGELOG" in result.stderr
    assert not ws.index.packages.exists() or files_on_index(ws) == {}


def test_version_taken_with_different_bytes_says_bump_and_changes_nothing(ws: Workspace, tmp_path: Path) -> None:
    url, _ = ws.index.up(ws.port)
    _, user, password = ws.index.credentials()
    impostor = make_wheel(tmp_path / "impostor", version=V, payload=b"not our build")
    assert twine_upload(url, [impostor], user, password).returncode == 0
    before_index = files_on_index(ws)
    before = ws.requirements()
    result = ws.ytc("release", "--skip-tests")
    assert result.returncode == 1
    assert f"{V} is already on the index" in result.stderr and "bump the version" in result.stderr
    assert files_on_index(ws) == before_index
    _unchanged(ws, before)


def test_a_build_failing_twine_check_is_not_published(ws: Workspace) -> None:
    pyproject = ws.root / "common/pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'readme = "README.md"',
            'readme = {text = "Broken\\n=====\\n\\n:bad:`x` `unclosed", content-type = "text/x-rst"}',
        )
    )
    ws.commit_all("break the long description")
    result = ws.ytc("release", "--skip-tests")
    assert result.returncode == 1
    assert "twine check --strict" in result.stderr
    assert files_on_index(ws) == {}


def test_an_upload_failing_half_way_is_completed_by_a_rerun(ws: Workspace) -> None:
    ws.index.up(ws.port)
    blocker = ws.index.packages / f"ytcaption_common-{V}.tar.gz"
    blocker.mkdir()  # the index refuses this name: the second upload fails for real
    before = ws.requirements()
    first = ws.ytc("release", "--skip-tests")
    assert first.returncode == 1
    assert f"uploading ytcaption_common-{V}.tar.gz failed" in first.stderr
    assert f"already uploaded in this run: ytcaption_common-{V}-py3-none-any.whl" in first.stderr
    assert "run `ytc-release release` again" in first.stderr
    _unchanged(ws, before)
    blocker.rmdir()
    second = ws.ytc("release", "--skip-tests")
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"uploaded: ytcaption_common-{V}.tar.gz" in second.stdout
    assert len(files_on_index(ws)) == 2


@pytest.mark.parametrize("content", [f"ytcaption-common=={V}\nytcaption-common=={V}\n", "ytcaption-common>=1\n"])
def test_requirements_without_one_exact_pin_stop_the_release(ws: Workspace, content: str) -> None:
    (ws.root / "services/video-downloader/requirements.txt").write_text(content)
    result = ws.ytc("release", "--skip-tests")
    assert result.returncode == 1
    assert "services/video-downloader/requirements.txt has" in result.stderr
    assert "exactly one" in result.stderr
    assert not ws.index.packages.exists() or files_on_index(ws) == {}


def test_a_service_that_does_not_name_the_library_yet_is_left_alone(ws: Workspace) -> None:
    """Before `migrate`, a service still on a copy has no pin: the release says so and leaves it."""
    requirements = ws.root / "services/video-downloader/requirements.txt"
    requirements.write_text("fastapi==0.165.0\n-e ./common\n")
    result = ws.ytc("release", "--dry-run", "--skip-tests")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not pinned yet, left alone: services/video-downloader" in result.stdout
    assert requirements.read_text() == "fastapi==0.165.0\n-e ./common\n"
    status = ws.ytc("status")
    assert "services/video-downloader" in status.stdout and "NOT PINNED" in status.stdout


def test_dry_run_changes_nothing(ws: Workspace) -> None:
    assert ws.ytc("bump", "patch").returncode == 0
    ws.commit_all(V_PATCH)
    result = ws.ytc("release", "--dry-run", "--skip-tests")
    assert result.returncode == 0, result.stderr
    assert "dry run" in result.stdout and f"pin orchestrator: {V} -> {V_PATCH}" in result.stdout
    assert ws.index.running() is None and not (ws.root / "dist").exists()
    assert all(f"ytcaption-common=={V}" in t for t in ws.requirements().values())


def test_new_service_folder_is_discovered(ws: Workspace) -> None:
    subprocess.run(
        ["cp", "-r", str(ws.root / "services/youtube-search"), str(ws.root / "services/caption-writer")], check=True
    )
    result = ws.ytc("release", "--dry-run", "--skip-tests")
    assert "services/caption-writer" in result.stdout


def test_verify_fails_when_the_index_serves_other_bytes(ws: Workspace) -> None:
    from ytc_release.errors import VerifyError
    from ytc_release.index.client import upload
    from ytc_release.pipeline.build import build
    from ytc_release.pipeline.verify import check_served_hashes

    ws.index.up(ws.port)
    artifacts = build(ws.root / "common", ws.root / "dist", ws.root)
    target = embedded_target(ws.index)
    for artifact in artifacts:
        upload(target, artifact.path)
    check_served_hashes(target, DIST_NAME, artifacts)  # as built: passes
    served = ws.index.packages / artifacts[0].name
    served.write_bytes(served.read_bytes() + b"tampered on the server")
    with pytest.raises(VerifyError, match="sha256"):
        check_served_hashes(target, DIST_NAME, artifacts)
