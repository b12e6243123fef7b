"""A repository laid out like the real YTCaption services before the wheel: a master
`common/` at the top, a copy of it in every service, and every shape `migrate`
meets (app/ or top-level code, `-e ./common` / `-e ../common`, requirements-docker.txt,
-c constraints.txt, multi-line RUN, `python -m pip`, `RUN cd /app/common && pip install .`,
ubuntu:22.04, a python:3.9 test image, sys.path hacks, distribute_common.sh).
The service code calls the library the way the real services do."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SERVICES = ("orchestrator", "services/video-downloader", "services/audio-normalization", "services/youtube-search")
REQUIREMENTS = "fastapi==0.115.0\nuvicorn==0.30.6\npydantic-settings==2.5.2\nredis==5.0.8\n"

HEALTH_APP = '''\
"""{name} API."""

import os

from fastapi import FastAPI

{imports}

setup_structured_logging(
    service_name="{name}", log_level=os.getenv("LOG_LEVEL", "INFO"), log_dir=os.getenv("LOG_DIR", "./logs"), json_format=True
)
logger = get_logger(__name__)

app = FastAPI(title="{name}")
setup_exception_handlers(app, debug=os.getenv("DEBUG", "false") == "true")
store = {store}(
    redis_url=os.environ["REDIS_URL"],
    max_connections=50,
    circuit_breaker_enabled=True,
    circuit_breaker_max_failures=int(os.getenv("CB_MAX_FAILURES", "5")),
    circuit_breaker_timeout=int(os.getenv("CB_TIMEOUT", "60")),
)
redis = store.redis  # then plain redis-py calls, as the real services do


@app.get("/health")
def health() -> dict:
    redis.set("health:last", "ok", ex=60)
    return {{"service": "{name}", "status": "healthy", "queued": {status}.QUEUED.value, "redis": redis.get("health:last")}}
'''

RUN_PY = '''\
"""Starts the server (the way upstream's run.py does)."""

import os
import sys
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # reached the master common/

if __name__ == "__main__":
    uvicorn.run("{target}", host=os.getenv("HOST", "0.0.0.0"), port=int(os.getenv("PORT", "8000")))
'''


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def build(root: Path, repo_root: Path) -> Path:
    """The tree at ``root``; the master common/ is this repository's library renamed to `common`."""
    master = root / "common"
    shutil.copytree(
        repo_root / "common/src/ytcaption_common", master, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    _write(
        root / "scripts/distribute_common.sh",
        "#!/bin/sh\nfor s in orchestrator services/*; do cp -r common $s/; done\n",
    )
    for service in SERVICES:
        shutil.copytree(master, root / service / "common")

    # orchestrator: code at the top (main.py, modules/), requirements-docker.txt, installs the copy itself.
    orch = root / "orchestrator"
    _write(
        orch / "main.py",
        HEALTH_APP.format(
            name="orchestrator",
            imports="import common.redis_utils\nfrom common.log_utils import setup_structured_logging, get_logger\n"
            "from common.exception_handlers.handlers import setup_exception_handlers\nfrom modules.jobs import JobStatus",
            store="common.redis_utils.ResilientRedisStore",
            status="JobStatus",
        ),
    )
    _write(orch / "modules/__init__.py", "")
    _write(orch / "modules/jobs.py", "from common.models import JobStatus  # noqa: F401  (re-exported)\n")
    _write(orch / "run.py", RUN_PY.format(target="main:app"))
    _write(orch / "requirements.txt", REQUIREMENTS + "\n# Common library\n-e ../common\n")
    _write(orch / "requirements-docker.txt", REQUIREMENTS + "\n# Common library\n")
    _write(
        orch / "Dockerfile",
        "FROM python:3.11-slim\n\nWORKDIR /app\n\n# Copy the common library\nCOPY ./common /app/common\n"
        "RUN cd /app/common && pip install .\n\nCOPY requirements-docker.txt .\n"
        "RUN pip install --no-cache-dir -r requirements-docker.txt\n\nCOPY . .\n\nEXPOSE 8000\n"
        'CMD ["python", "run.py"]\n',
    )
    _write(
        orch / "docker-compose.yml",
        "services:\n  orchestrator:\n    build: .   # the folder itself\n    ports:\n"
        '      - "${HOST_PORT:-8004}:8000"\n    restart: unless-stopped\n',
    )

    # video-downloader: app/, -e ./common, a Dockerfile.test that copies too, multi-line RUN.
    vd = root / "services/video-downloader"
    _write(vd / "app/__init__.py", "")
    _write(
        vd / "app/main.py",
        HEALTH_APP.format(
            name="video-downloader",
            imports="from common.log_utils import setup_structured_logging, get_logger\n"
            "from common.exception_handlers import setup_exception_handlers\n"
            "from common.redis_utils import ResilientRedisStore\nfrom common.models import JobStatus",
            store="ResilientRedisStore",
            status="JobStatus",
        ),
    )
    _write(vd / "requirements.txt", REQUIREMENTS + "-e ./common\n")
    dockerfile = (
        "FROM python:3.11-slim\nWORKDIR /app\n# Copia biblioteca common PRIMEIRO (necessária para -e ./common)\n"
        "COPY common/ ./common/\nCOPY requirements.txt .\n"
        "RUN pip install --no-cache-dir --upgrade pip \\\n    && pip install --no-cache-dir -r requirements.txt\n"
        'COPY app/ ./app/\nCMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]\n'
    )
    _write(vd / "Dockerfile", dockerfile)
    _write(vd / "Dockerfile.test", dockerfile.replace("CMD [", "# tests\nCMD [", 1))
    _write(
        vd / "docker-compose.yml",
        "# video-downloader\nservices:\n  video-downloader:\n    build:\n      context: .\n"
        '    ports: ["8002:8000"]\n    environment:\n      - REDIS_URL=redis://redis:6379/0\n',
    )

    # audio-normalization: ubuntu:22.04 (Python 3.10), python -m pip with -c constraints.txt, a GPU Dockerfile.
    an = root / "services/audio-normalization"
    _write(an / "app/__init__.py", "")
    _write(
        an / "app/main.py",
        HEALTH_APP.format(
            name="audio-normalization",
            imports="from common import models\nfrom common.log_utils import setup_structured_logging, get_logger\n"
            "from common.exception_handlers import setup_exception_handlers\n"
            "from common.redis_utils.resilient_store import ResilientRedisStore",
            store="ResilientRedisStore",
            status="models.JobStatus",
        ),
    )
    _write(an / "run.py", RUN_PY.format(target="app.main:app"))
    _write(an / "requirements.txt", REQUIREMENTS + "-e ./common\n")
    _write(an / "constraints.txt", "redis<6\n")
    body = (
        "WORKDIR /app\nCOPY common/ ./common/\nCOPY requirements.txt constraints.txt ./\n"
        "RUN python -m pip install --no-cache-dir --upgrade pip\n"
        "RUN python -m pip install --no-cache-dir \\\n      -r requirements.txt \\\n      -c constraints.txt\n"
        'COPY app/ ./app/\nCOPY run.py .\nCMD ["python", "run.py"]\n'
    )
    _write(an / "Dockerfile", "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y python3-pip\n" + body)
    _write(an / "Dockerfile-gpu", "FROM nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04\n" + body)
    _write(
        an / "docker-compose.yml",
        "services:\n  # 2) API\n  audio-normalization-service:\n    build: .\n    ports:\n"
        '      - "${PORT:-8002}:8001"\n  # 3) Worker Celery\n  celery-worker:\n    build: .\n'
        "    command: python -m celery -A app.celery_config worker\n  redis:\n    image: redis:7-alpine\n",
    )

    # youtube-search: shell-form CMD, a python:3.9 test image migrate must report.
    ys = root / "services/youtube-search"
    _write(ys / "app/__init__.py", "")
    _write(
        ys / "app/main.py",
        HEALTH_APP.format(
            name="youtube-search",
            imports="from common.log_utils import setup_structured_logging, get_logger\n"
            "from common.exception_handlers import setup_exception_handlers\n"
            "from common.redis_utils import ResilientRedisStore\nfrom common.models.base import JobStatus",
            store="ResilientRedisStore",
            status="JobStatus",
        ),
    )
    # an older module path of common (some upstream versions had common.logging): migrate must point at it
    _write(ys / "app/legacy.py", "from common.logging import get_logger  # an older copy's module\n")
    _write(ys / "requirements.txt", REQUIREMENTS + "\n# === COMMON LIBRARY ===\n-e ./common\n")
    _write(
        ys / "Dockerfile",
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY common/ ./common/\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\nCOPY app/ ./app/\n"
        "CMD uvicorn app.main:app --host 0.0.0.0 --port 8003\n",
    )
    _write(ys / "Dockerfile.test", "FROM python:3.9-slim\nCOPY . .\nRUN pip install -r requirements.txt\n")
    _write(ys / "docker-compose.yml", "services:\n  youtube-search:\n    build: .\n")

    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (outside .git) and its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts and "__pycache__" not in p.parts
    }
