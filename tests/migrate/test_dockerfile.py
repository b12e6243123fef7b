"""The Dockerfile parser wrapper: the instruction shapes migrate, check and smoke meet."""

from __future__ import annotations

import pytest

from ytc_release.checks.repository import dockerfile_problems
from ytc_release.toolkit import dockerfile

UPSTREAM_STYLE = """\
# syntax=docker/dockerfile:1
FROM ubuntu:22.04 AS base
ENV PYTHONUNBUFFERED=1 \\
    PIP_NO_CACHE_DIR=1
WORKDIR /app
# Copy the common library FIRST (needed for -e ./common)
COPY common/ ./common/
COPY requirements.txt constraints.txt ./
RUN python -m pip install --no-cache-dir --upgrade pip \\
    && python -m pip install --no-cache-dir \\
       -r requirements.txt \\
       -c constraints.txt
RUN --mount=type=secret,id=pipconf,target=/etc/pip.conf pip3 install -r requirements-docker.txt
COPY app/ ./app/
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
"""


def test_multi_line_run_with_python_m_pip_and_constraints() -> None:
    instructions = dockerfile.parse(UPSTREAM_STYLE)
    runs = [i for i in instructions if i.name == "RUN"]
    assert (runs[0].start, runs[0].end) == (9, 12)
    commands = dockerfile.shell_commands(runs[0])
    assert [dockerfile.requirement_files(c) for c in commands] == [[], ["requirements.txt"]]
    assert [dockerfile.constraint_files(c) for c in commands] == [[], ["constraints.txt"]]
    assert dockerfile.installs_requirements(runs[0]) and not dockerfile.has_pipconf_mount(runs[0])


def test_secret_mount_is_a_flag_not_a_command() -> None:
    run = [i for i in dockerfile.parse(UPSTREAM_STYLE) if i.name == "RUN"][1]
    assert dockerfile.has_pipconf_mount(run)
    assert dockerfile.shell_commands(run) == [["pip3", "install", "-r", "requirements-docker.txt"]]


def test_comments_are_not_instructions_and_copies_are_found_by_source() -> None:
    instructions = dockerfile.parse(UPSTREAM_STYLE)
    copies = [i.start for i in instructions if dockerfile.copies_common(i)]
    assert copies == [7]
    assert [i.name for i in instructions if "common" in i.value.lower()][:2] == ["COMMENT", "COPY"]


@pytest.mark.parametrize(
    ("line", "copies"),
    [
        ("COPY common/ /app/common/", True),
        ("COPY ./common /app/common", True),
        ("COPY ../common /app/common", True),
        ("COPY shared/common /srv/common", True),
        ("ADD --chown=1000:1000 ../../common/ ./common/", True),
        ('COPY ["common", "/app/common"]', True),
        ("COPY requirements.txt /app/common/", False),  # the destination does not matter
        ("COPY common_utils/ /app/", False),
        ("COPY --from=builder /app/common /app/common", False),  # another stage of this build
    ],
)
def test_copy_of_common(line: str, copies: bool) -> None:
    instruction = dockerfile.parse(f"FROM python:3.11-slim\n{line}\n")[1]
    assert dockerfile.copies_common(instruction) is copies


def test_a_step_that_installs_the_copy_itself() -> None:
    run = dockerfile.parse(
        "RUN cd /app/common && pip install . && cd /app && pip install -r requirements-docker.txt\n"
    )[0]
    assert dockerfile.installs_the_copy(run) == [0, 1]
    assert dockerfile.installs_the_copy(dockerfile.parse("RUN pip install -e ./common\n")[0]) == [0]
    assert dockerfile.installs_the_copy(dockerfile.parse("RUN pip install -r requirements.txt\n")[0]) == []


@pytest.mark.parametrize(
    ("text", "argv"),
    [
        ('CMD ["python", "run.py"]', ["python", "run.py"]),
        ("CMD python run.py", ["python", "run.py"]),
        ("CMD uvicorn app.main:app --port $PORT", ["/bin/sh", "-c", "uvicorn app.main:app --port $PORT"]),
        ('ENTRYPOINT ["uvicorn"]\nCMD ["main:app", "--port", "8000"]', ["uvicorn", "main:app", "--port", "8000"]),
        ('CMD ["python", "a.py"]\nCMD ["python", "b.py"]', ["python", "b.py"]),  # the last CMD wins
    ],
)
def test_command_json_and_shell_form(text: str, argv: list[str]) -> None:
    assert dockerfile.command_of(dockerfile.parse(f"FROM python:3.11-slim\n{text}\n")) == argv


def test_base_images_skip_build_stages_and_env_is_read() -> None:
    text = "FROM python:3.9-slim AS build\nFROM build\nFROM ubuntu:22.04\nENV A=1 B=two\nENV C three\n"
    instructions = dockerfile.parse(text)
    assert dockerfile.base_images(instructions) == [(1, "python:3.9-slim"), (3, "ubuntu:22.04")]
    assert dockerfile.env_of(instructions) == {"A": "1", "B": "two", "C": "three"}


def test_check_rules_use_the_parser() -> None:
    clean = "FROM python:3.11-slim\nCOPY requirements.txt .\n# the common library now comes from the index\nRUN pip install -r requirements.txt\n"
    assert dockerfile_problems("Dockerfile", clean, "ytcaption-common") == []
    for line, number in (("COPY ../common /app/common", 2), ("COPY shared/common /srv/common", 2)):
        problems = dockerfile_problems("svc/Dockerfile", f"FROM python:3.11-slim\n{line}\n", "ytcaption-common")
        assert len(problems) == 1 and problems[0].startswith(f"svc/Dockerfile:{number}: copies common/")
    installs = dockerfile_problems(
        "Dockerfile", "FROM python:3.11-slim\nRUN cd /app/common && pip install .\n", "ytcaption-common"
    )
    assert len(installs) == 1 and "installs a copied common" in installs[0]


def test_folders_the_image_creates_relative_to_its_workdir() -> None:
    text = "FROM python:3.11-slim\nWORKDIR /app\nRUN mkdir -p /app/logs /app/artifacts \\\n && mkdir -p /tmp/x cache\n"
    assert dockerfile.created_dirs(dockerfile.parse(text)) == ["logs", "artifacts", "cache"]


def test_created_folders_never_leave_the_workdir_through_dotdot() -> None:
    text = (
        "FROM python:3.11-slim\nWORKDIR /app\n"
        "RUN mkdir ../../x && mkdir -p ./logs/../data /app/../etc logs/../../srv .. a/b/../../..\n"
    )
    assert dockerfile.created_dirs(dockerfile.parse(text)) == ["data"]


def test_a_workdir_with_dotdot_is_normalised_before_folders_are_placed() -> None:
    text = "FROM python:3.11-slim\nWORKDIR /app/x/..\nRUN mkdir /app/logs /app/x/../../srv\n"
    assert dockerfile.created_dirs(dockerfile.parse(text)) == ["logs"]
