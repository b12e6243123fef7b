"""The library's test matrix: `tests/common` on Python 3.10-3.13, and once against
the lowest versions its dependency ranges allow (uv's lowest-direct resolution).

    .venv/bin/nox                      # every session
    .venv/bin/nox -s tests_common      # the four Pythons
    .venv/bin/nox -s lowest_deps       # fastapi 0.104.1, pydantic 2.5.0, pydantic-settings 2.1.0, redis 5.0.1

Interpreters are looked up on PATH (`python3.X`), then in pyenv's versions folder.
Installs use PyPI only: the machine's pip configuration (find-links, extra
indexes, constraints) is ignored so the results hold on any machine.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
LOWEST_PYTHON = "3.10"  # the oldest supported Python, as on the ubuntu:22.04 service image
# The dependency floors in common/pyproject.toml, which lowest-direct must land on exactly.
FLOORS = {"fastapi": "0.104.1", "pydantic": "2.5.0", "pydantic-settings": "2.1.0", "redis": "5.0.1"}
# What the tests themselves need (pinned low enough for Starlette 0.27's TestClient).
TEST_TOOLS = ["pytest>=8", "httpx>=0.27,<0.28"]

nox.options.sessions = ["tests_common", "lowest_deps"]
nox.options.error_on_missing_interpreters = True  # a missing Python is a failure, not a skip
nox.options.default_venv_backend = "uv"


def _ignore_machine_pip_config() -> None:
    """Only PyPI counts: no pip config files, find-links, extra indexes or constraints."""
    for key in list(os.environ):
        if key.startswith(("PIP_", "UV_")) and key not in {"PIP_CERT", "PIP_DEFAULT_TIMEOUT"}:
            del os.environ[key]
    os.environ["PIP_CONFIG_FILE"] = os.devnull
    os.environ["UV_NO_CONFIG"] = "1"
    # Use the machine's interpreters (PATH, pyenv); never download one.
    os.environ["UV_PYTHON_PREFERENCE"] = "only-system"
    os.environ["UV_PYTHON_DOWNLOADS"] = "never"
    if "PIP_CERT" in os.environ:  # the same CA bundle for uv
        os.environ["SSL_CERT_FILE"] = os.environ["PIP_CERT"]


def _works(executable: str | None) -> bool:
    # A pyenv shim for a version that is not selected exists on PATH but fails.
    if executable is None:
        return False
    return subprocess.run([executable, "-c", "pass"], capture_output=True, check=False).returncode == 0


def _find_pyenv_interpreters() -> None:
    """Make each Python that PATH lacks (or only has as a broken shim) findable from
    pyenv's versions folder, through a folder of ``python3.X`` links put first on PATH
    (only those names: the rest of PATH keeps its meaning)."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    links = Path(__file__).resolve().parent / ".nox" / "interpreters"
    for version in PYTHONS:
        if _works(shutil.which(f"python{version}")):
            continue
        found = sorted(glob.glob(str(root / "versions" / f"{version}.*" / "bin" / f"python{version}")))
        if not found:
            continue  # nox reports the missing interpreter as an error
        links.mkdir(parents=True, exist_ok=True)
        link = links / f"python{version}"
        link.unlink(missing_ok=True)
        link.symlink_to(found[-1])
    if links.is_dir():
        os.environ["PATH"] = os.pathsep.join([str(links), os.environ.get("PATH", "")])


_ignore_machine_pip_config()
_find_pyenv_interpreters()


@nox.session(python=PYTHONS)
def tests_common(session: nox.Session) -> None:
    """The library's tests on one Python, with the newest dependencies its ranges allow."""
    session.install("./common", *TEST_TOOLS)
    session.run("pytest", "tests/common", "-q", "-p", "no:cacheprovider", *session.posargs)


@nox.session(python=LOWEST_PYTHON)
def lowest_deps(session: nox.Session) -> None:
    """The library's tests against the lowest versions of its direct dependencies."""
    session.install("--resolution", "lowest-direct", "./common", *TEST_TOOLS)
    code = (
        "import importlib.metadata as m, json, sys; "
        f"floors = {FLOORS!r}; "
        "got = {n: m.version(n) for n in floors}; "
        "print('installed:', json.dumps(got)); "
        "sys.exit(0 if got == floors else 'lowest-direct did not install the floors: ' + json.dumps(got))"
    )
    session.run("python", "-c", code)
    session.run("pytest", "tests/common", "-q", "-p", "no:cacheprovider", *session.posargs)
