"""A repository laid out the way the real YTCaption services are today: the library in `shared/` (a
setup.py that installs the folder itself as the import package `common`), services under `services/`
with their Dockerfiles in `docker/`, built from the repository root (`context: ../../..`), and every
shape `migrate` meets there:

- `COPY shared/ /app/common/`, `COPY shared/ ./common/` in two build stages, `COPY shared/ /app/shared/`
  with `pip install /app/shared`, `pip install -e ./common && pip install -r requirements.txt`;
- `-e ./common` in requirements.txt and requirements-docker.txt, a requirements.txt with no library line;
- `COPY services/<svc>/...` sources, a COPY of a folder that does not exist, constraints.txt;
- compose files with the library bind-mounted, a mount outside the folder, an absolute host path, a
  mount into the folder written through the root, PYTHONPATH entries;
- the root .dockerignore, a docker/.dockerignore; a service's own `app/shared/` package; a test that
  asserts `-e ./common`; a sys.path edit.

The service code is written here; the table is the one `ytc-release init` writes for such a tree."""

from __future__ import annotations

import subprocess
from pathlib import Path

VERSION = "1.0.0"
SERVICES = ("services/se-api", "services/se-gpu", "services/se-img")

TABLE = """\
[tool.ytc-release]
library = "shared"
distribution = "ytcaption-common"
import-names = ["common"]
version-file = "shared/__init__.py"
services = ["services/*"]
"""

SETUP_PY = """\
from setuptools import find_packages, setup

setup(
    name="ytcaption-common",
    version="{version}",
    package_dir={{"common": "."}},
    packages=["common"] + ["common." + p for p in find_packages(".")],
    python_requires=">=3.10",
)
"""

# The PEP 621 file a library with only a setup.py gets (the folder itself is the package `common`), so the
# test builds its wheel the way the pipeline builds any library: PEP 517, with the hatchling already here.
PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "ytcaption-common"
dynamic = ["version"]
requires-python = ">=3.10"

[tool.hatch.version]
path = "__init__.py"

[tool.hatch.build.targets.wheel]
include = ["*.py", "**/*.py"]
exclude = ["setup.py"]

[tool.hatch.build.targets.wheel.sources]
"" = "common"
"""

# A stdlib server: the image needs nothing but the library, so its build reaches only the index.
RUN_PY = '''\
"""Starts the API."""

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # run from anywhere

import common  # noqa: E402
from common.log_utils import get_logger  # noqa: E402

from app.shared.names import SERVICE  # noqa: E402  (the service's own `shared`, not the library)

logger = get_logger(SERVICE)


class Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps(
            {"service": SERVICE, "status": "healthy", "common_version": common.__version__, "common_file": common.__file__}
        ).encode()
        self.send_response(200 if self.path == "/health" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    HTTPServer((os.getenv("HOST", "127.0.0.1"), int(os.getenv("PORT", "8000"))), Health).serve_forever()
'''

ROOT_DOCKERIGNORE = """\
venv/
__pycache__/
*.pyc
.git/

# Service-specific data (not needed in image)
services/*/data/
services/*/logs/
services/se-gpu/models/

# Exclude heavy dirs from other services
other-tool/
scripts/
"""


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _library(root: Path, version: str) -> None:
    shared = root / "shared"
    _write(shared / "setup.py", SETUP_PY.format(version=version))
    _write(shared / "pyproject.toml", PYPROJECT)
    _write(shared / "__init__.py", f'"""The services\' shared library."""\n\n__version__ = "{version}"\n')
    _write(
        shared / "log_utils/__init__.py",
        "import logging\n\n\ndef get_logger(name: str) -> logging.Logger:\n    return logging.getLogger(name)\n",
    )
    _write(shared / "redis_utils/__init__.py", "STORE = 'redis'\n")


def _service_code(folder: Path, name: str) -> None:
    _write(folder / "app/__init__.py", "")
    _write(folder / "app/shared/__init__.py", "")  # the service's own package that happens to be called shared
    _write(folder / "app/shared/names.py", f'SERVICE = "{name}"\n')
    _write(folder / "app/main.py", "from common.redis_utils import STORE  # noqa: F401\nfrom app.shared import names\n")
    _write(folder / "run.py", RUN_PY)


def build(root: Path, version: str = VERSION) -> Path:
    _write(root / "pyproject.toml", TABLE)
    _write(root / ".dockerignore", ROOT_DOCKERIGNORE)
    _write(root / "scripts/deploy.sh", "#!/bin/sh\n")
    _write(root / "other-tool/README.md", "not a service\n")
    _library(root, version)

    # se-api: python:3.11-slim, COPY shared/ /app/common/, the install joined to a pip upgrade by &&,
    # `-e ./common` only; compose bind-mounts the library and sets PYTHONPATH. The image the podman test builds.
    api = root / "services/se-api"
    _service_code(api, "se-api")
    _write(api / "requirements.txt", "# Common library (local copy)\n-e ./common\n")
    _write(
        api / "docker/Dockerfile",
        "FROM python:3.11-slim\n\nENV PYTHONPATH=/app\nWORKDIR /app\n\n"
        "# Copia shared como common/ (build context é raiz do projeto)\nCOPY shared/ /app/common/\n\n"
        "COPY services/se-api/requirements.txt .\n"
        "RUN pip install --no-cache-dir --upgrade pip \\\n    && pip install --no-cache-dir -r requirements.txt\n\n"
        "COPY services/se-api/app/ ./app/\nCOPY services/se-api/run.py .\n\n"
        "RUN useradd -m -u 1000 appuser\nUSER appuser\n"
        'CMD ["python", "run.py"]\n',
    )
    _write(
        api / "docker/docker-compose.yml",
        "name: se-api\nservices:\n  se-api:\n    build:\n      context: ../../..\n"
        "      dockerfile: services/se-api/docker/Dockerfile\n    volumes:\n"
        "      - ../../../shared:/app/common\n      - ../app:/app/app\n"
        "    environment:\n      - PYTHONPATH=/app:/app/common\n",
    )
    _write(
        api / "tests/test_requirements.py",
        "from pathlib import Path\n\n\ndef test_the_library_is_installed_from_the_copy():\n"
        "    text = (Path(__file__).parent.parent / 'requirements.txt').read_text()\n"
        '    assert "-e ./common" in text\n',
    )

    # se-gpu: a CUDA image with python3.11 (requirements-docker.txt, -c constraints.txt), a two-stage CPU image
    # that copies the library in both stages and installs it joined by && to its requirements, a missing COPY
    # source, a GPU compose with an absolute host path and a mount outside the folder, a docker/.dockerignore.
    gpu = root / "services/se-gpu"
    _service_code(gpu, "se-gpu")
    _write(gpu / "requirements.txt", "redis>=5\n-e ./common\n")  # constraints.txt holds it below 6
    _write(gpu / "requirements-docker.txt", "redis==5.0.8\n# Common library\n-e ./common\n")
    _write(gpu / "constraints.txt", "redis<6\n")
    _write(
        gpu / "docker/Dockerfile",
        "FROM python:3.11-slim AS base\nWORKDIR /app\nCOPY shared/ ./common/\n"
        "COPY services/se-gpu/requirements.txt ./requirements.txt\n"
        "RUN pip install --no-cache-dir -e ./common && pip install --no-cache-dir -r requirements.txt\n\n"
        "FROM base AS api\nWORKDIR /app\nCOPY shared/ ./common/\nCOPY services/se-gpu/app/ ./app/\n"
        "COPY services/se-gpu/external/tool/ ./external/tool/\n"
        'CMD ["python", "run.py"]\n',
    )
    _write(
        gpu / "docker/Dockerfile.gpu",
        "FROM nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04\n"
        "RUN apt-get update && apt-get install -y python3.11 python3-pip\nWORKDIR /app\n"
        "COPY shared/ ./common/\nCOPY services/se-gpu/requirements-docker.txt requirements.txt\n"
        "COPY services/se-gpu/constraints.txt .\n"
        "RUN python3.11 -m pip install --no-cache-dir -r requirements.txt -c constraints.txt\n"
        "COPY services/se-gpu/app/ ./app/\nCOPY services/se-gpu/run.py .\n"
        'CMD ["python3.11", "run.py"]\n',
    )
    _write(
        gpu / "docker/docker-compose.gpu.yml",
        "services:\n  se-gpu:\n    build:\n      context: ../../..\n      dockerfile: services/se-gpu/docker/Dockerfile.gpu\n"
        "    volumes:\n      - ../../../shared:/app/common\n      - /opt/models/weights.pt:/app/weights.pt:ro\n"
        "      - ../../../show:/app/show\n      - models:/models\nvolumes:\n  models: {}\n",
    )
    _write(gpu / "docker/.dockerignore", "tests/\n*.md\n")

    # se-img: COPY shared/ /app/shared/ + pip install /app/shared, no library line in requirements.txt,
    # a compose mount into the folder written through the root.
    img = root / "services/se-img"
    _service_code(img, "se-img")
    _write(img / "requirements.txt", "# Common library (installed separately in Dockerfile: pip install /app/shared)\n")
    _write(
        img / "docker/Dockerfile",
        "FROM python:3.11-slim\nWORKDIR /app\n# Copy shared library and install it first\n"
        "COPY shared/ /app/shared/\nRUN pip install --no-cache-dir /app/shared\n\n"
        "COPY services/se-img/app/ app/\nCOPY services/se-img/requirements.txt ./requirements.txt\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
        'CMD ["python", "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8009"]\n',
    )
    _write(
        img / "docker/docker-compose.yml",
        "services:\n  se-img:\n    build:\n      context: ../../..\n      dockerfile: services/se-img/docker/Dockerfile\n"
        "    volumes:\n      - ../../../services/se-img/app/:/app/app:rw\n",
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def wheel(root: Path, out: Path) -> Path:
    """The library's wheel (PEP 517 through `python -m build`, no isolation: nothing is downloaded)."""
    import sys

    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), "."],
        cwd=root / "shared",
        check=True,
        env={"PATH": "/usr/bin:/bin", "PIP_CONFIG_FILE": "/dev/null", "HOME": str(out)},
        capture_output=True,
    )
    return next(out.glob("ytcaption_common-*.whl"))
