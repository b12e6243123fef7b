"""The text edits behind migrate: imports, requirements, Dockerfiles, compose files."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from ytc_release.migration.compose import add_pipconf_secret
from ytc_release.migration.edits import edit_dockerfile, is_copy_requirement, pin_requirements
from ytc_release.migration.imports import rewrite_imports
from ytc_release.toolkit import dockerfile
from ytc_release.toolkit.dockerfile import base_image_python

SOURCE = '''\
"""Docs mention common.log_utils and stay as they are."""
import os, common.models.base
import common.redis_utils
import common.config_utils as cfg
from common import models
from common.log_utils import setup_structured_logging, get_logger
from common.exception_handlers.handlers import (
    setup_exception_handlers,
)
from .common import local_helper
import common_utils
try:
    from common.models import JobStatus  # common.models in a comment
except ImportError:
    pass
PATCH_TARGET = "common.log_utils.get_logger"
store = common.redis_utils.ResilientRedisStore(redis_url="redis://")


def shadowed(common=None):
    return common
'''


def test_imports_are_rewritten_and_nothing_else() -> None:
    result = rewrite_imports(SOURCE)
    expected = (
        SOURCE.replace("import os, common.models", "import os, ytcaption_common.models")
        .replace("import common.redis_utils", "import ytcaption_common.redis_utils")
        .replace("import common.config_utils", "import ytcaption_common.config_utils")
        .replace("from common import", "from ytcaption_common import")
        .replace("from common.log_utils", "from ytcaption_common.log_utils")
        .replace("from common.exception_handlers", "from ytcaption_common.exception_handlers")
        .replace("    from common.models", "    from ytcaption_common.models")
        .replace("store = common.", "store = ytcaption_common.")
    )
    assert result.text == expected
    assert result.changed_lines == [2, 3, 4, 5, 6, 7, 13, 17]
    assert rewrite_imports(result.text).changed_lines == []  # a second pass changes nothing


def test_sys_path_hacks_and_unparsable_files_are_reported() -> None:
    hack = "import sys\nsys.path.insert(0, '/app')\nsys.path.append('..')\n"
    assert rewrite_imports(hack).syspath_lines == [2, 3]
    broken = rewrite_imports("from common.x import (\n")
    assert broken.error is not None and broken.text == "from common.x import (\n"


@pytest.mark.parametrize(
    ("line", "copy"),
    [
        ("-e ./common", True),
        ("-e ../../common", True),
        ("--editable=../common", True),
        ("./common", True),
        ("-e file:../common#egg=ytcaption-common", True),
        ("common @ file:///app/common", True),
        ("-e ./common  # the shared library", True),
        ("commonmark==0.9.1", False),
        ("# -e ./common", False),
        ("-e git+https://example.invalid/common.git#egg=common", False),
    ],
)
def test_path_installs_of_a_copy(line: str, copy: bool) -> None:
    assert is_copy_requirement(line) is copy


def test_requirements_get_exactly_one_pin() -> None:
    text, notes = pin_requirements(
        "fastapi==0.115.0\n# Common library\n-e ../common\n", "2.0.0", must_pin=False, distribution="ytcaption-common"
    )
    assert text == "fastapi==0.115.0\n# Common library\nytcaption-common==2.0.0\n" and len(notes) == 1
    both, _ = pin_requirements(
        "ytcaption-common==2.0.0\n-e ./common\n", "2.0.0", must_pin=True, distribution="ytcaption-common"
    )
    assert both == "ytcaption-common==2.0.0\n"
    added, _ = pin_requirements(
        "fastapi==0.115.0", "2.0.0", must_pin=True, distribution="ytcaption-common"
    )  # requirements-docker.txt shape
    assert added == "fastapi==0.115.0\nytcaption-common==2.0.0\n"
    assert pin_requirements(added, "2.0.0", must_pin=True, distribution="ytcaption-common") == (added, [])


DOCKERFILE = """\
FROM python:3.11-slim
WORKDIR /app
# Copy common FIRST (needed for -e ./common)
COPY common/ ./common/
COPY requirements.txt requirements-docker.txt constraints.txt ./

RUN pip install --no-cache-dir --upgrade pip \\
    && pip install --no-cache-dir -r requirements.txt
RUN python -m pip install --no-cache-dir \\
      -r requirements-docker.txt \\
      -c constraints.txt
RUN cd /app/common && pip install .
RUN pip install -r requirements.txt && cd /app/common && pip install -e .
CMD ["python", "run.py"]
"""


def test_dockerfile_loses_the_copy_and_mounts_the_secret_on_every_pip_step() -> None:
    edit = edit_dockerfile(DOCKERFILE)
    instructions = dockerfile.parse(edit.text)
    assert not any(dockerfile.copies_common(i) or dockerfile.installs_the_copy(i) for i in instructions)
    assert "common" not in edit.text.lower().replace("pip install", "")
    pip_steps = [i for i in instructions if dockerfile.installs_requirements(i)]
    assert len(pip_steps) == 3 and all(dockerfile.has_pipconf_mount(i) for i in pip_steps)
    assert "-c constraints.txt" in edit.text and "\\\n      -r requirements-docker.txt" in edit.text  # layout kept
    assert edit.requirement_files == ["requirements.txt", "requirements-docker.txt"]
    assert edit_dockerfile(edit.text).text == edit.text


def test_compose_gets_the_build_secret_and_keeps_its_comments() -> None:
    text = (
        "services:\n  # the API\n  api:\n    build: .  # here\n    ports: ['8000:8000']\n  redis:\n    image: redis:7\n"
    )
    new, changed = add_pipconf_secret(text)
    assert changed == ["api"]
    assert "# the API" in new and "# here" in new and "ports: ['8000:8000']" in new
    doc = YAML(typ="safe").load(new)
    assert doc["services"]["api"]["build"] == {"context": ".", "secrets": ["pipconf"]}
    assert doc["secrets"]["pipconf"]["file"] == "${YTC_PIPCONF:-/etc/ytcaption/pip.conf}"
    assert "build" not in doc["services"]["redis"]
    assert add_pipconf_secret(new) == (new, [])
    assert add_pipconf_secret("services:\n  redis:\n    image: redis:7\n") == (
        "services:\n  redis:\n    image: redis:7\n",
        [],
    )


@pytest.mark.parametrize(
    ("image", "python"),
    [
        ("python:3.11-slim", (3, 11)),
        ("python:3.9-slim-bullseye", (3, 9)),
        ("ubuntu:22.04", (3, 10)),
        ("ubuntu:20.04", (3, 8)),
        ("debian:bookworm-slim", (3, 11)),
        ("nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04", (3, 10)),
        ("registry.example/base:1", None),
    ],
)
def test_base_image_python(image: str, python: tuple[int, int] | None) -> None:
    assert base_image_python(image) == python


def test_a_requirements_file_copied_under_another_name_is_the_one_to_pin() -> None:
    # orchestrator/Dockerfile.test upstream: built from the repository root
    text = (
        "FROM python:3.11-slim\nCOPY common/ /app/common/\n"
        "COPY orchestrator/requirements-docker.txt /app/requirements.txt\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nRUN cd /app/common && pip install --no-cache-dir .\n"
    )
    edit = edit_dockerfile(text)
    assert edit.requirement_files == ["orchestrator/requirements-docker.txt"]
    assert edit.text == (
        "FROM python:3.11-slim\nCOPY orchestrator/requirements-docker.txt /app/requirements.txt\n"
        "RUN --mount=type=secret,id=pipconf,target=/etc/pip.conf pip install --no-cache-dir -r requirements.txt\n"
    )


def test_the_library_modules_a_file_imports_are_listed_before_and_after_the_rename() -> None:
    source = "from common.log_utils import get_logger\nimport common.models.base, os\nfrom common import models\n"
    expected = [(1, "ytcaption_common.log_utils"), (2, "ytcaption_common.models.base"), (3, "ytcaption_common")]
    first = rewrite_imports(source)
    assert first.modules == expected
    assert rewrite_imports(first.text).modules == expected


def test_a_rebuilt_run_keeps_every_other_command_byte_for_byte() -> None:
    text = (
        "FROM python:3.11-slim\n"
        "RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt \\\n"
        "    && pip install -e ./common \\\n"
        '    && mkdir -p $LOG_DIR "${DATA_DIR}/x"  &&  echo ok > /tmp/x \\\n'
        "    && echo 'single $HOME' \"double $HOME\" a\\ b 2>&1 >>/tmp/log && rm -f /tmp/*.whl ~/.cache/[ab]?\n"
    )
    edit = edit_dockerfile(text)
    assert edit.manual == []
    assert edit.text == (
        "FROM python:3.11-slim\n"
        f"RUN {dockerfile.PIPCONF_MOUNT} --mount=type=cache,target=/root/.cache pip install -r requirements.txt \\\n"
        '    && mkdir -p $LOG_DIR "${DATA_DIR}/x" \\\n'
        "    && echo ok > /tmp/x \\\n"
        "    && echo 'single $HOME' \"double $HOME\" a\\ b 2>&1 >>/tmp/log \\\n"
        "    && rm -f /tmp/*.whl ~/.cache/[ab]?\n"
    )


@pytest.mark.parametrize(
    "rest",
    [
        "echo a || echo b",
        "echo a; echo b",
        "ls | wc -l",
        "sleep 1 &",
        "echo $(date) > /tmp/d",
        "echo `date`",
        '(cd /tmp && ls) && echo "x"',
        'echo "$(id -u && true)"',
        "cat <<EOF > /tmp/x",
    ],
)
def test_a_run_that_cannot_be_split_safely_is_left_alone_for_the_user(rest: str) -> None:
    text = f"FROM python:3.11-slim\nRUN pip install ./common && {rest}\n"
    edit = edit_dockerfile(text)
    assert edit.text == text
    assert len(edit.manual) == 1 and edit.manual[0].startswith("line 2:")
