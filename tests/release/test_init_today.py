"""`init` then `release` on a repository in today's YTCaption shape (tests/support/today_tree.py):
a setup.py library in shared/ (import package `common`), services under services/seN-*/ with
their Dockerfiles in docker/. Real git, a real embedded index, real twine and pip."""

from __future__ import annotations

import sys
import zipfile

import pytest

from tests.support.net import free_port
from tests.support.today_tree import build_today_tree
from tests.support.workspace import Workspace

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    base = tmp_path_factory.mktemp("today")
    (base / "home").mkdir()
    workspace = Workspace(build_today_tree(base / "repo"), base / "index", free_port())
    yield workspace
    workspace.index.down()


def test_init_dry_run_prints_the_plan_and_writes_nothing(ws: Workspace) -> None:
    result = ws.ytc("init", "--dry-run", env=ws.env(YTC_REPO_ROOT=""))
    assert result.returncode == 0, result.stderr
    assert "library:      shared/ -> ytcaption-common (import common)" in result.stdout
    assert "services/se1-orchestrator: docker/Dockerfile copies shared/" in result.stdout
    assert "services/se9-make-video-img: docker/Dockerfile copies shared/" in result.stdout
    assert "+++ b/shared/pyproject.toml" in result.stdout and "deleted: shared/setup.py" in result.stdout
    assert not (ws.root / "pyproject.toml").exists() and (ws.root / "shared" / "setup.py").exists()
    assert ws.git("status", "--porcelain") == ""


def test_init_writes_the_table_and_a_pep621_pyproject(ws: Workspace) -> None:
    result = ws.ytc("init", env=ws.env(YTC_REPO_ROOT=""))
    assert result.returncode == 0, result.stderr
    table = tomllib.loads((ws.root / "pyproject.toml").read_text())["tool"]["ytc-release"]
    assert table["library"] == "shared" and table["import-names"] == ["common"]
    assert table["version-file"] == "shared/__init__.py" and table["services"] == ["services/*"]
    library = tomllib.loads((ws.root / "shared" / "pyproject.toml").read_text())
    assert library["project"]["name"] == "ytcaption-common"
    assert library["project"]["dynamic"] == ["version"] and library["project"]["requires-python"] == ">=3.10"
    assert not (ws.root / "shared" / "setup.py").exists(), "setup.py repeated the version: one source remains"
    assert ".ytc-release/" in (ws.root / ".gitignore").read_text()
    again = ws.ytc("init", env=ws.env(YTC_REPO_ROOT=""))
    assert again.returncode == 1 and "already has a [tool.ytc-release] table" in again.stderr
    ws.commit_all("ytc-release init")


def test_the_import_check_names_the_undeclared_dependency(ws: Workspace) -> None:
    result = ws.ytc("release")
    assert result.returncode == 1
    assert "common.http_utils does not import: it needs the module `httpx`" in result.stderr
    assert (
        "add the distribution that provides `httpx` to [project].dependencies in shared/pyproject.toml" in result.stderr
    )
    assert "common.test_utils.fixtures does not import: it needs the module `pytest`" in result.stderr
    assert ws.index.file_count() == 0, "a failed check publishes nothing"


def test_a_setup_py_library_releases_as_it_is(ws: Workspace) -> None:
    pyproject = ws.root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'services = ["services/*"]',
            'services = ["services/*"]\nimport-check-exempt = ["common.http_utils", "common.test_utils.fixtures"]',
        )
    )
    ws.commit_all("the two modules that need more than the library declares are exempt")
    result = ws.ytc("release")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "exempt by import-check-exempt" in result.stdout
    assert "not pinned yet, left alone: services/se1-orchestrator, services/se9-make-video-img" in result.stdout
    wheel = next((ws.root / "dist").glob("ytcaption_common-1.0.0-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "common/__init__.py" in names and "common/test_utils/fixtures.py" in names
    assert not [n for n in names if n.endswith(("conftest.py", "test_helpers.py"))], names
    assert not [n for n in names if n.startswith("common/") and n.endswith(("pyproject.toml", "README.md", ".txt"))]
    assert ws.index.file_count() == 2
    again = ws.ytc("release")
    assert again.returncode == 0 and "identical" in again.stdout, again.stdout


def test_status_lists_the_services_not_pinned_yet(ws: Workspace) -> None:
    result = ws.ytc("status")
    assert "library:        ytcaption-common (shared/)" in result.stdout
    assert "services/se9-make-video-img" in result.stdout and "NOT PINNED" in result.stdout
