"""`ytc-release migrate services/*` on a repository laid out the way the services are today
(tests/migrate/today_tree.py): afterwards no Dockerfile or compose file reaches outside its service
folder, every image's requirements pin the library, and what migrate cannot fix is reported by file and line."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.migrate.today_tree import SERVICES, VERSION, build
from tests.migrate.upstream_tree import snapshot
from tests.support.cli import run_cli
from ytc_release.toolkit import dockerfile


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return build(tmp_path / "repo")


def migrate(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINE_", "YTC_", "PIP_INDEX"))}
    env["YTC_INDEX_HOME"] = str(tree.parent / "no-index")  # no index: the versions are given, nothing is locked
    return run_cli("migrate", "--version", VERSION, *args, cwd=tree, env=env, timeout=300)


def reaches_outside(folder: Path) -> list[str]:
    """Every COPY source, compose build context/dockerfile and relative bind mount of the service that
    resolves outside its folder (the old layout's `services/x/...`, `shared/`, `../../..`)."""
    found = []
    for path in folder.rglob("Dockerfile*"):
        for instruction in dockerfile.parse_file(path):
            flags, args = dockerfile.flags_and_args(instruction.value)
            if instruction.name in {"COPY", "ADD"} and not any(f.startswith("--from=") for f in flags):
                found += [
                    f"{path.name}:{instruction.start} {s}"
                    for s in args[:-1]
                    if not (folder / s).resolve().is_relative_to(folder) or s.startswith(("services/", "shared"))
                ]
    for path in folder.rglob("*compose*.yml"):
        doc = YAML(typ="safe").load(path.read_text())
        for name, svc in doc["services"].items():
            build_ = svc.get("build") or {}
            context = (path.parent / build_.get("context", ".")).resolve()
            if build_ and (context != folder or not (context / build_["dockerfile"]).is_file()):
                found.append(f"{path.name}: {name} builds from {context}")
            for volume in svc.get("volumes", []):
                source = volume.split(":")[0]
                if source.startswith(".") and not (path.parent / source).resolve().is_relative_to(folder):
                    found.append(f"{path.name}: {name} mounts {source}")
    return found


def test_dry_run_prints_the_diff_and_writes_nothing(tree: Path) -> None:
    before = snapshot(tree)
    result = migrate(tree, "--dry-run", *SERVICES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert snapshot(tree) == before
    assert "-COPY shared/ /app/common/" in result.stdout and "+COPY app/ ./app/" in result.stdout
    assert "\n-      context: ../../..\n" in result.stdout and "\n+      context: ..\n" in result.stdout
    assert "dry run: nothing was written" in result.stdout


def test_every_shape_builds_from_its_own_folder_afterwards(tree: Path) -> None:
    before = snapshot(tree)
    result = migrate(tree, *SERVICES)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    pin = f"ytcaption-common=={VERSION}"

    # the old layout reached outside every service; the migrated one reaches outside only where migrate says so
    for service in SERVICES:
        folder = tree / service
        leftovers = reaches_outside(folder)
        if service == "services/se-gpu":  # the mount of a folder beside the repository stays, reported
            assert leftovers == ["docker-compose.gpu.yml: se-gpu mounts ../../../show"]
        else:
            assert leftovers == [], leftovers
        for path in folder.rglob("Dockerfile*"):
            text = path.read_text()
            assert "shared/" not in text and "common" not in text, path
            steps = [i for i in dockerfile.parse(text) if dockerfile.installs_requirements(i)]
            assert steps and all(dockerfile.has_pipconf_mount(i) for i in steps), path
        for path in folder.rglob("requirements*.txt"):
            assert "./common" not in path.read_text(), path
    # the pin is in every file an image installs, the ones with no library line included
    assert (tree / "services/se-img/requirements.txt").read_text().endswith(pin + "\n")
    assert pin in (tree / "services/se-gpu/requirements-docker.txt").read_text()
    assert (tree / "services/se-api/requirements.txt").read_text() == f"# Common library (local copy)\n{pin}\n"

    api = (tree / "services/se-api/docker/Dockerfile").read_text()
    # the pip upgrade joined by && stays; the install of requirements.txt installs the hash lock
    assert (
        "COPY requirements.txt .\nCOPY requirements.lock .\nRUN --mount=type=secret,id=pipconf,target=/etc/pip.conf "
        "pip install --no-cache-dir --upgrade pip \\\n    && pip install --no-cache-dir --require-hashes "
        "-r requirements.lock\n"
    ) in api
    assert "ENV PYTHONPATH=/app\n" in api  # /app holds app/ and run.py too: not the copy's alone
    gpu = (tree / "services/se-gpu/docker/Dockerfile").read_text()
    # both stages lose their copy; the `pip install -e ./common &&` half of the joined RUN goes, the other stays
    assert "FROM base AS api\nWORKDIR /app\nCOPY app/ ./app/\n" in gpu
    assert "RUN --mount=type=secret,id=pipconf,target=/etc/pip.conf pip install --no-cache-dir --require-hashes" in gpu
    img = (tree / "services/se-img/docker/Dockerfile").read_text()
    assert "/app/shared" not in img and "COPY app/ app/\n" in img

    compose = YAML(typ="safe").load((tree / "services/se-api/docker/docker-compose.yml").read_text())
    build_ = compose["services"]["se-api"]["build"]
    assert build_ == {"context": "..", "dockerfile": "docker/Dockerfile", "secrets": ["pipconf"]}
    assert compose["services"]["se-api"]["volumes"] == ["../app:/app/app"]
    img_compose = (tree / "services/se-img/docker/docker-compose.yml").read_text()
    assert "- ../app/:/app/app:rw" in img_compose

    # the root .dockerignore's patterns now apply in each service folder: its own made relative, others dropped
    ignore = (tree / "services/se-gpu/.dockerignore").read_text().splitlines()
    assert {"venv/", "__pycache__/", "*.pyc", ".git/", "data/", "logs/", "models/"} <= set(ignore)
    assert not {"scripts/", "other-tool/"} & set(ignore) and not any("services/" in p for p in ignore)
    assert "models/" not in (tree / "services/se-api/.dockerignore").read_text()

    # the library keeps its import name `common`: no service code changed; app/shared is the service's own
    for service in SERVICES:
        for path in (tree / service).rglob("*.py"):
            rel = path.relative_to(tree).as_posix()
            assert path.read_bytes() == before[rel], rel
    assert (tree / "shared/setup.py").read_bytes() == before["shared/setup.py"]

    # what it cannot fix, by file and line
    for expected in (
        "services/se-gpu/docker/Dockerfile:11: COPY source external/tool/ does not exist in services/se-gpu",
        "services/se-gpu/docker/docker-compose.gpu.yml:8: se-gpu: bind-mounts the absolute host path "
        "/opt/models/weights.pt",
        "services/se-gpu/docker/docker-compose.gpu.yml:9: se-gpu: bind-mounts ../../../show, outside the service",
        "services/se-gpu/docker/Dockerfile.gpu:7: installs requirements-docker.txt, not the service's "
        "requirements.txt that requirements.lock is compiled from",
        "services/se-gpu/docker/.dockerignore:1: a build reads only the .dockerignore at its context's root",
        "services/se-api/docker/docker-compose.yml:11: se-api: PYTHONPATH entry /app/common only reached the "
        "mounted copy (removed)",
        "services/se-api/run.py:8: edits sys.path",
        "services/se-api/tests/test_requirements.py:6: this test asserts the old layout ('-e ./common')",
    ):
        assert expected in out, expected
    assert "imports common" not in out  # every module the services import is in shared/
    assert "models:/models" not in out  # a named volume is not a host path


def test_a_second_run_changes_nothing(tree: Path) -> None:
    assert migrate(tree, *SERVICES).returncode == 0
    after = snapshot(tree)
    again = migrate(tree, *SERVICES)
    assert again.returncode == 0, again.stdout + again.stderr
    assert snapshot(tree) == after
    assert again.stdout.count("nothing to change") == len(SERVICES)


def test_the_docker_folder_is_not_the_service(tree: Path) -> None:
    result = migrate(tree, "services/se-api/docker")
    assert result.returncode == 1
    assert "services/se-api/docker is not a service folder" in result.stderr
    assert "pass services/se-api, the service folder above it" in result.stderr


def test_an_import_name_other_than_the_copys_rewrites_the_imports(tree: Path) -> None:
    table = tree / "pyproject.toml"
    table.write_text(table.read_text().replace('import-names = ["common"]', 'import-names = ["ytcaption_common"]'))
    result = migrate(tree, "services/se-api")
    assert result.returncode == 0, result.stdout + result.stderr
    main = (tree / "services/se-api/app/main.py").read_text()
    assert main.startswith("from ytcaption_common.redis_utils import STORE")
    assert "from app.shared import names" in main
    assert re.search(r"^import ytcaption_common\b", (tree / "services/se-api/run.py").read_text(), re.M)
