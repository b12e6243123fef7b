"""A small repository in the shape the YTCaption services have today (built here, none of their
code): the library in `shared/` with only a `setup.py` that installs the folder itself as the
import package `common`, a second version in `shared/__init__.py`, test modules inside it, a
test helper package services import, and a module importing an undeclared dependency; services
under `services/seN-*/` with their Dockerfiles in `docker/`, built from the repository root."""

from __future__ import annotations

import subprocess
from pathlib import Path

SETUP_PY = """\
from setuptools import setup, find_packages

setup(
    name="ytcaption-common",
    version="1.0.0",
    description="Shared code of the services",
    author="Team",
    packages=["common"] + [f"common.{p}" for p in find_packages()],
    package_dir={"common": "."},
    install_requires=[],
    python_requires=">=3.10",
)
"""

LIBRARY = {
    "setup.py": SETUP_PY,
    "README.md": "# shared\n\nThe services' shared code.\n",
    "requirements.txt": "redis>=5\n",
    "__init__.py": '"""Shared code."""\n\n__version__ = "1.0.0"\n',
    "log_utils/__init__.py": "from .structured import get_logger\n",
    "log_utils/structured.py": "import logging\n\n\ndef get_logger(name):\n    return logging.getLogger(name)\n",
    "datetime_utils/__init__.py": "from common.datetime_utils.helpers import now\n",
    "datetime_utils/helpers.py": "import datetime\n\n\ndef now():\n    return datetime.datetime.now(datetime.timezone.utc)\n",
    "datetime_utils/conftest.py": "",
    "datetime_utils/test_helpers.py": "def test_now():\n    pass\n",
    # An undeclared dependency: the import check must name it.
    "http_utils/__init__.py": "import httpx  # noqa: F401\n",
    # A helper services' tests import; it needs pytest, which a library does not declare.
    "test_utils/__init__.py": "",
    "test_utils/fixtures.py": "import pytest\n\n\n@pytest.fixture\ndef thing():\n    return 1\n",
    "test_utils/mock_store.py": "class MockStore(dict):\n    pass\n",
}


def service(name: str, port: int, *, library_line: bool = True) -> dict[str, str]:
    requirements = "fastapi==0.104.1\n" + ("\n# Common library (local copy)\n-e ./common\n" if library_line else "")
    return {
        f"services/{name}/requirements.txt": requirements,
        f"services/{name}/app/__init__.py": "",
        f"services/{name}/app/main.py": "from common.log_utils import get_logger\n\nlogger = get_logger(__name__)\n",
        f"services/{name}/run.py": "import app.main  # noqa: F401\n",
        f"services/{name}/docker/Dockerfile": (
            "FROM python:3.11-slim\nWORKDIR /app\nCOPY shared/ ./common/\n"
            f"COPY services/{name}/requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
            f"COPY services/{name}/app/ ./app/\nCOPY services/{name}/run.py .\n"
            f'EXPOSE {port}\nCMD ["python", "run.py"]\n'
        ),
        f"services/{name}/docker/docker-compose.yml": (
            f"services:\n  {name}:\n    build:\n      context: ../../..\n"
            f"      dockerfile: services/{name}/docker/Dockerfile\n"
            "    volumes:\n      - ../../../shared:/app/common\n"
        ),
    }


def build_today_tree(root: Path) -> Path:
    """The tree at ``root``, committed in a fresh git repository."""
    files = {f"shared/{k}": v for k, v in LIBRARY.items()}
    files |= service("se1-orchestrator", 8001)
    files |= service("se9-make-video-img", 8009, library_line=False)
    files[".gitignore"] = "__pycache__/\n"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    ident = ["-c", "user.name=test", "-c", "user.email=test@localhost", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", *ident, "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", *ident, "-C", str(root), "commit", "-qm", "today's layout"], check=True)
    return root
