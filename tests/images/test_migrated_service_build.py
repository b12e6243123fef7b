"""The whole point of migrating today's layout: a service builds with ONLY ITS OWN FOLDER as the build
context. A tree in today's shapes (tests/migrate/today_tree.py) is migrated against a live embedded index
that holds the library's wheel (built from its `shared/`); then podman builds one service from its folder
alone, installing requirements.lock with --require-hashes through the `pipconf` secret, and the container
answers /health with the library imported from site-packages. `smoke` starts the same service from docker/."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.migrate.today_tree import SERVICES, VERSION, build, wheel
from tests.support.cli import run_cli
from tests.support.index import LiveIndex, start_index, twine_upload
from ytc_release.images.podman import Podman, running_container
from ytc_release.images.services import _pip_conf, _secret_in_layers, _wait_health
from ytc_release.services import locking
from ytc_release.target import IndexTarget
from ytc_release.toolkit.ports import free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveIndex]:
    # Today's library is ytcaption-common with the import package `common`, as its table says.
    live = start_index(tmp_path_factory.mktemp("index"), owned_names="ytcaption-common=common")
    yield live
    live.stop()


@pytest.fixture(scope="module")
def migrated(index: LiveIndex, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    base = tmp_path_factory.mktemp("today")
    tree = build(base / "repo")
    uploaded = twine_upload(index.url, [wheel(tree, base / "dist")], *index.credentials)
    assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr
    result = run_cli("migrate", *SERVICES, cwd=tree, env=env_for(index), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return tree, result


def env_for(index: LiveIndex) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINE_", "YTC_", "PIP_"))}
    env.update(YTC_INDEX_HOME=str(index.index.packages.parent), YTC_INDEX_PORT=index.url.rsplit(":", 1)[1].strip("/"))
    return env


def test_migrate_locks_each_service_against_the_index(migrated: tuple[Path, subprocess.CompletedProcess]) -> None:
    tree, result = migrated
    assert f"version: {VERSION}, the newest ytcaption-common on" in result.stdout
    lock_text = (tree / "services/se-api" / locking.LOCK_FILE).read_text()
    lock = locking.parse_lock(lock_text)
    assert set(lock) == {"ytcaption-common"} and lock["ytcaption-common"].version == VERSION
    assert lock["ytcaption-common"].hashes
    assert locking.read_header(lock_text).python == "3.11"  # python:3.11-slim, found in docker/Dockerfile
    # se-gpu's constraints.txt (redis<6) held its lock, and its CUDA image runs python3.11: no mismatch
    gpu = locking.parse_lock((tree / "services/se-gpu" / locking.LOCK_FILE).read_text())
    assert gpu["redis"].version.startswith("5.")
    assert "one lock serves one Python" not in result.stdout


def test_a_migrated_service_builds_from_its_own_folder_alone(
    podman: Podman, index: LiveIndex, migrated: tuple[Path, subprocess.CompletedProcess], tmp_path: Path
) -> None:
    tree, _ = migrated
    folder = tree / "services/se-api"
    reader_user, reader_password = index.index.reader_credentials()
    pip_conf = _pip_conf(IndexTarget(index.target.upload_url, reader_user, reader_password, "reader"), tmp_path)
    image = "localhost/ytcaption/se-api:migrated"
    built = podman.run(
        "build",
        "--no-cache",
        "--network",
        "host",
        "--secret",
        f"id=pipconf,src={pip_conf}",
        "-t",
        image,
        "-f",
        str(folder / "docker/Dockerfile"),
        str(folder),  # the service folder is the whole build context
    )
    try:
        assert "--require-hashes -r requirements.lock" in built.stdout + built.stderr
        port = free_port()
        with running_container(podman, "ytc-migrated-se-api", image, "-e", f"PORT={port}") as container:
            body = _wait_health(port)
            assert body["status"] == "healthy" and body["service"] == "se-api"
            assert body["common_version"] == VERSION
            assert "-packages/common/__init__.py" in body["common_file"], body  # the wheel, not a copy
            facts = podman.run(
                "exec",
                container,
                "python",
                "-c",
                "import json, os, importlib.metadata as m; print(json.dumps({'copy': os.path.exists('/app/common') "
                "or os.path.exists('/app/shared'), 'direct_url': m.distribution('ytcaption-common')"
                ".read_text('direct_url.json')}))",
            )
            checked = json.loads(facts.stdout)
            assert checked == {"copy": False, "direct_url": None}  # installed from the index, no copy on any path
        assert _secret_in_layers(podman, image, reader_password, tmp_path) == []
    finally:
        podman.run("rmi", "-f", image, check=False)


def test_smoke_starts_the_service_from_its_docker_folder(
    index: LiveIndex, migrated: tuple[Path, subprocess.CompletedProcess], tmp_path: Path
) -> None:
    tree, _ = migrated
    env = env_for(index) | {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    result = run_cli("smoke", "services/se-api", cwd=tree, env=env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pip install -r requirements.lock" in result.stdout and "bin/python run.py" in result.stdout
    assert '"service": "se-api"' in result.stdout and "smoke ok" in result.stdout
