"""Service locks against a live index: uv compiles them, pip installs them with
--require-hashes, and a file swapped or added on the index breaks the install."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.index import LiveIndex, make_wheel, twine_upload
from tests.support.venvs import make_venv
from ytc_release.index import client as index_client
from ytc_release.services import locking
from ytc_release.toolkit.runner import clean_pip_env

REQUIREMENTS = "ytcaption-common==1.0.0\nsix==1.16.0\n"
DOCKERFILE = (
    "FROM python:3.11-slim\nCOPY requirements.lock .\nRUN pip install --require-hashes --no-deps -r requirements.lock\n"
)


@pytest.fixture
def locked_service(live_index: LiveIndex, tmp_path: Path) -> Path:
    wheel = make_wheel(tmp_path / "dist", version="1.0.0", payload=b"the real 1.0.0")
    user, password = live_index.credentials
    assert twine_upload(live_index.url, [wheel], user, password).returncode == 0
    service = tmp_path / "svc"
    service.mkdir()
    (service / "Dockerfile").write_text(DOCKERFILE)
    (service / "requirements.txt").write_text(REQUIREMENTS)
    assert locking.lock_service(service, live_index.target) is True
    return service


def pip_install_lock(live_index: LiveIndex, service: Path, venv: Path) -> subprocess.CompletedProcess[str]:
    make_venv(venv)
    env = clean_pip_env()
    env["PIP_INDEX_URL"] = live_index.target.simple_url_with_credentials()
    return subprocess.run(
        [str(venv / "bin/python"), "-m", "pip", "install", "--require-hashes", "--no-deps", "-r", "requirements.lock"],
        cwd=service,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_lock_pins_everything_with_hashes_and_installs(
    live_index: LiveIndex, locked_service: Path, tmp_path: Path
) -> None:
    text = (locked_service / locking.LOCK_FILE).read_text()
    entries = locking.parse_lock(text)
    assert set(entries) == {"ytcaption-common", "six"}
    assert all(entry.hashes for entry in entries.values())
    served = {f.filename: f.sha256 or "" for f in index_client.project_files(live_index.target, "ytcaption-common")}
    assert locking.hash_problems(entries["ytcaption-common"], served) == []
    assert locking.read_header(text) == locking.LockHeader("3.11", locking.requirements_digest(REQUIREMENTS))
    assert live_index.credentials[1] not in text  # the index URL with its password is never written

    result = pip_install_lock(live_index, locked_service, tmp_path / "venv")
    assert result.returncode == 0, result.stdout + result.stderr
    # A second lock of the same requirements changes nothing.
    assert locking.lock_service(locked_service, live_index.target) is False


def test_a_file_swapped_on_the_index_fails_the_install(
    live_index: LiveIndex, locked_service: Path, tmp_path: Path
) -> None:
    # Storage-level tampering, behind the index's upload checks.
    impostor = make_wheel(tmp_path / "evil", version="1.0.0", payload=b"an impostor")
    (live_index.index.packages / impostor.name).write_bytes(impostor.read_bytes())
    result = pip_install_lock(live_index, locked_service, tmp_path / "venv")
    assert result.returncode != 0
    assert "DO NOT MATCH THE HASHES" in result.stdout + result.stderr


def test_an_extra_file_for_the_same_version_is_never_installed(
    live_index: LiveIndex, locked_service: Path, tmp_path: Path
) -> None:
    extra = make_wheel(tmp_path / "evil", version="1.0.0", payload=b"a more specific impostor")
    # A build-tag wheel sorts above the plain one: without the lock pip would install it.
    (live_index.index.packages / "ytcaption_common-1.0.0-1-py3-none-any.whl").write_bytes(extra.read_bytes())
    venv = tmp_path / "venv"
    result = pip_install_lock(live_index, locked_service, venv)
    # pip drops a candidate whose listed hash the lock does not allow, and takes the locked file.
    assert result.returncode == 0, result.stdout + result.stderr
    (payload,) = venv.glob("lib/python*/site-packages/ytcaption_common/payload.bin")
    assert payload.read_bytes() == b"the real 1.0.0"

    # The control: the same index without the lock installs the impostor.
    plain = tmp_path / "plain"
    make_venv(plain)
    env = clean_pip_env()
    env["PIP_INDEX_URL"] = live_index.target.simple_url_with_credentials()
    subprocess.run(
        [str(plain / "bin/python"), "-m", "pip", "install", "--no-deps", "ytcaption-common==1.0.0"],
        env=env,
        capture_output=True,
        check=True,
        timeout=600,
    )
    (payload,) = plain.glob("lib/python*/site-packages/ytcaption_common/payload.bin")
    assert payload.read_bytes() == b"a more specific impostor"


def test_a_changed_requirements_file_makes_the_lock_stale(locked_service: Path) -> None:
    lock = (locked_service / locking.LOCK_FILE).read_text()
    assert locking.stale_reason(REQUIREMENTS, lock) is None
    assert locking.stale_reason(REQUIREMENTS + "idna==3.10\n", lock) == (
        "requirements.txt changed since requirements.lock was compiled"
    )


def test_a_folder_without_a_dockerfile_is_refused(live_index: LiveIndex, tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(REQUIREMENTS)
    with pytest.raises(locking.LockError, match="not a service folder: no Dockerfile"):
        locking.lock_service(tmp_path, live_index.target)


@pytest.mark.parametrize(
    ("run", "flagged"),
    [
        ("RUN pip install --require-hashes --no-deps -r requirements.lock", False),
        (
            "RUN --mount=type=secret,id=pipconf,target=/etc/pip.conf \\\n    python -m pip install -r requirements.txt",
            True,
        ),
        ("RUN pip install --no-cache-dir \\\n    --require-hashes \\\n    -r requirements.lock", False),
        ("RUN pip install uvicorn", False),  # no requirements file: not an install of the service's set
        ("RUN apt-get update && pip install --requirement requirements.txt", True),
    ],
)
def test_installs_without_hashes(tmp_path: Path, run: str, flagged: bool) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(f"FROM python:3.11-slim\n{run}\n")
    assert bool(locking.installs_without_hashes(dockerfile)) is flagged


def test_lock_problems_name_the_stale_lock_and_the_unhashed_install(locked_service: Path, tmp_path: Path) -> None:
    root = locked_service.parent
    assert locking.lock_problems(root, [locked_service]) == []
    (locked_service / "requirements.txt").write_text(REQUIREMENTS + "idna==3.10\n")
    (locked_service / "Dockerfile").write_text("FROM python:3.11-slim\nRUN pip install -r requirements.txt\n")
    assert locking.lock_problems(root, [locked_service]) == [
        "svc: requirements.txt changed since requirements.lock was compiled; run `ytc-release lock svc`",
        "svc/Dockerfile:2: pip install without --require-hashes",
    ]
