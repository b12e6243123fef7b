"""The pure edits behind `migrate` for today's layout: COPY sources rebased, every form of the library
copy removed, the hash lock installed, compose builds and mounts moved, the root .dockerignore carried."""

from __future__ import annotations

from pathlib import Path

import pytest

from ytc_release.migration import dockerignore
from ytc_release.migration.compose import rebase_compose
from ytc_release.migration.edits import Rules, edit_dockerfile, is_copy_requirement, lock_install, rebase_source
from ytc_release.migration.imports import rewrite_imports
from ytc_release.migration.layout import old_layout_asserts
from ytc_release.services.pins import main_dockerfile
from ytc_release.toolkit import dockerfile

NAMES = ("shared", "common")
TODAY = Rules(names=NAMES, prefix="services/se1", lock=True)


@pytest.mark.parametrize(
    ("path", "library"),
    [
        ("shared/", True),
        ("./shared", True),
        ("/app/shared/", True),
        ("/app/common", True),
        ("./common/", True),
        ("/common", True),
        ("app/shared/", False),  # a service's own package called shared
        ("services/se5/app/shared/", False),
        ("/app/app/shared", False),
        ("external/GroundingDINO", False),
    ],
)
def test_library_paths(path: str, library: bool) -> None:
    assert dockerfile.is_library_path(path, NAMES) is library


@pytest.mark.parametrize(
    ("source", "rebased"),
    [
        ("services/se1/app/", "app/"),
        ("services/se1/requirements.txt", "requirements.txt"),
        ("./services/se1/run.py", "run.py"),
        ("services/se1", "."),
        ("services/se1/", "./"),
        ("services/se1/user-agents*.txt", "user-agents*.txt"),
        ("orchestrator/requirements.txt", None),
        ("services/se10/app/", None),
    ],
)
def test_sources_rebased_on_the_service_folder(source: str, rebased: str | None) -> None:
    assert rebase_source(source, "services/se1") == rebased


def test_every_library_copy_goes_in_every_stage_and_the_lock_is_installed() -> None:
    text = (
        "FROM python:3.11-slim AS base\nWORKDIR /app\n# Copy shared as common/\nCOPY shared/ ./common/\n"
        "COPY services/se1/requirements.txt .\n"
        "RUN pip install --no-cache-dir -e ./common && pip install --no-cache-dir -r requirements.txt -c constraints.txt\n"
        "FROM base AS api\nCOPY shared/ /app/shared/\nRUN pip install --no-cache-dir /app/shared\n"
        "COPY --from=base /app/common /app/common\nCOPY services/se1/app/ ./app/\nCOPY services/se1/missing/ ./m/\n"
        "COPY scripts/x.sh .\n"
    )
    edit = edit_dockerfile(text, TODAY)
    assert edit.text == (
        "FROM python:3.11-slim AS base\nWORKDIR /app\nCOPY requirements.txt .\n"
        "COPY requirements.lock .\n"
        "RUN --mount=type=secret,id=pipconf,target=/etc/pip.conf pip install --no-cache-dir --require-hashes "
        "-r requirements.lock\n"
        "FROM base AS api\nCOPY app/ ./app/\nCOPY missing/ ./m/\nCOPY scripts/x.sh .\n"
    )
    assert edit.sources == [(5, "requirements.txt"), (11, "app/"), (12, "missing/")]
    assert edit.outside == [(13, "scripts/x.sh")]
    assert edit.requirement_files == ["requirements.txt"]
    again = edit_dockerfile(edit.text, Rules(names=NAMES, lock=True))
    assert again.text == edit.text and again.notes == []


def test_a_file_other_than_requirements_txt_is_not_locked_but_reported() -> None:
    text = (
        "FROM python:3.11-slim\nCOPY services/se1/requirements-docker.txt requirements.txt\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
        "COPY services/se1/requirements.txt r2.txt\nRUN pip install --extra-index-url https://x.invalid -r r2.txt\n"
    )
    edit = edit_dockerfile(text, TODAY)
    assert "requirements.lock" not in edit.text and edit.text.count("id=pipconf") == 2
    assert edit.manual[0].startswith("line 3: installs requirements-docker.txt, not the service's requirements.txt")
    assert edit.manual[1].startswith("line 5: installs requirements.txt with --extra-index-url")
    assert edit.requirement_files == ["requirements-docker.txt", "requirements.txt"]


def test_the_older_layout_keeps_its_edits() -> None:
    text = (
        "FROM python:3.11-slim\nCOPY common/ ./common/\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    )
    edit = edit_dockerfile(text)  # the defaults: no rebase, no lock conversion
    assert edit.text == (
        "FROM python:3.11-slim\nCOPY requirements.txt .\n"
        "RUN --mount=type=secret,id=pipconf,target=/etc/pip.conf pip install -r requirements.txt\n"
    )


def test_pythonpath_that_only_reached_the_copy() -> None:
    text = (
        "FROM python:3.11-slim\nENV PYTHONPATH=/app/common:/srv\nENV PYTHONPATH=/app\nWORKDIR /srv\n"
        "COPY shared/ /app/common/\nCOPY services/se1/app/ ./app/\n"
    )
    assert edit_dockerfile(text, TODAY).pythonpath == [(2, "/app/common"), (3, "/app")]
    with_app = text.replace("WORKDIR /srv", "WORKDIR /app")
    assert edit_dockerfile(with_app, TODAY).pythonpath == [(2, "/app/common")]  # /app holds app/ too


def test_lock_install_keeps_the_interpreter() -> None:
    command = ["python3.11", "-m", "pip", "install", "-q", "-r", "requirements.txt", "-c", "constraints.txt"]
    assert lock_install(command, {}) == (
        "python3.11 -m pip install -q --no-cache-dir --require-hashes -r requirements.lock",
        None,
    )
    assert lock_install(["pip", "install", "-r", "requirements.txt", "gunicorn"], {})[1] == (
        "installs requirements.txt with gunicorn, which a hash lock cannot express"
    )


def test_requirement_lines_that_install_a_copy() -> None:
    for line in ("-e ./common", "-e ../shared", "/app/shared", "./shared[x]"):
        assert is_copy_requirement(line, NAMES), line
    assert not is_copy_requirement("-e ./external/tool", NAMES)
    assert not is_copy_requirement("sharedlib==1.0", NAMES)


def test_compose_builds_from_the_service_folder(tmp_path: Path) -> None:
    service = tmp_path / "services/se1"
    (service / "docker").mkdir(parents=True)
    compose = service / "docker/docker-compose.yml"
    text = (
        "services:\n  api:\n    build:\n      context: ../../..\n      dockerfile: services/se1/docker/Dockerfile\n"
        "    volumes:\n      - ../../../shared:/app/common\n      - ../app:/app/app\n"
        "      - ../../../services/se1/data/:/app/data\n      - /root/models:/models:ro\n      - ../../../show:/show\n"
        "      - cache:/cache\n    environment:\n      - PYTHONPATH=/app:/app/common\n"
        "  redis:\n    image: redis:7\n"
    )
    edit = rebase_compose(text, compose, service, tmp_path / "shared")
    assert edit.text == (
        "services:\n  api:\n    build:\n      context: ..\n      dockerfile: docker/Dockerfile\n"
        "    volumes:\n      - ../app:/app/app\n      - ../data/:/app/data\n      - /root/models:/models:ro\n"
        "      - ../../../show:/show\n      - cache:/cache\n    environment:\n      - PYTHONPATH=/app:/app/common\n"
        "  redis:\n    image: redis:7\n"
    )
    assert edit.old_contexts == [(service / "docker/Dockerfile", tmp_path)]
    assert [m.split(":", 1)[0] for m in edit.manual] == ["line 10", "line 11", "line 14"]
    assert "absolute host path /root/models" in edit.manual[0] and "../../../show, outside" in edit.manual[1]
    assert "PYTHONPATH entry /app/common only reached the mounted copy" in edit.manual[2]
    assert rebase_compose(edit.text, compose, service, tmp_path / "shared").text == edit.text


def test_the_root_dockerignore_carried_to_the_service() -> None:
    root = "venv/\n*.pyc\n.git/\nservices/*/data/\n!services/se1/data/keep\nservices/se2/x/\nscripts/\n**/*.log\n"
    carried = dockerignore.carry(root, "services/se1", {"services", "scripts", ".git", "shared"})
    assert carried.patterns == ["venv/", "*.pyc", ".git/", "data/", "!data/keep", "**/*.log"]
    assert carried.dropped == ["services/se2/x/", "scripts/"]
    merged = dockerignore.merge("data/\n", carried.patterns, ".dockerignore")
    assert merged is not None and merged.startswith("data/\n\n# carried from .dockerignore")
    assert merged.count("data/\n") == 1
    assert dockerignore.merge(merged, carried.patterns, ".dockerignore") is None


def test_imports_stay_when_the_library_keeps_the_copys_name() -> None:
    source = "import common\nfrom common.log_utils import get_logger\nprint(common.__version__)\n"
    kept = rewrite_imports(source, "common", "common")
    assert kept.text == source and kept.changed_lines == []
    assert kept.modules == [(1, "common"), (2, "common.log_utils")]
    assert rewrite_imports(source, "common", "ytcaption_common").changed_lines == [1, 2, 3]


def test_the_image_python_of_a_cuda_image_that_installs_python311() -> None:
    cuda = "FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nRUN apt-get install -y python3.11\n"
    assert dockerfile.image_python(dockerfile.parse(cuda)) == (3, 11)
    assert dockerfile.image_python(dockerfile.parse("FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\n")) == (3, 10)
    assert dockerfile.image_python(dockerfile.parse("FROM python:3.12-slim\nRUN pip install x\n")) == (3, 12)


def test_tests_that_assert_the_old_layout() -> None:
    source = (
        "def test_a():\n    assert '-e ./common' in text\n    assert x == '/app/common/x'\n"
        "    assert 'app/shared/' in y\n    pytest.fail('pip install -e ./common')\n"
    )
    assert [line for line, _ in old_layout_asserts(source, NAMES)] == [2, 3]


def test_the_main_dockerfile_may_live_in_docker(tmp_path: Path) -> None:
    (tmp_path / "docker").mkdir()
    for name in ("Dockerfile.gpu", "Dockerfile"):
        (tmp_path / "docker" / name).write_text("FROM python:3.11-slim\n")
    assert main_dockerfile(tmp_path) == tmp_path / "docker/Dockerfile"
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\n")
    assert main_dockerfile(tmp_path) == tmp_path / "Dockerfile"


def test_check_finds_a_copy_of_the_library_folder() -> None:
    from ytc_release.checks.repository import dockerfile_problems

    text = "FROM python:3.11-slim\nCOPY shared/ /app/shared/\nRUN pip install /app/shared\nCOPY app/shared/ ./x/\n"
    problems = dockerfile_problems("svc/docker/Dockerfile", text, "ytcaption-common", NAMES)
    assert [p.split(": ", 1)[0] for p in problems] == ["svc/docker/Dockerfile:2", "svc/docker/Dockerfile:3"]
