"""`init`'s pure parts: reading setup.py without running it, the pyproject it writes, service globs,
and the import check's verdicts."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from tests.support.today_tree import SETUP_PY
from tests.unit.test_wheel_contents import PROJECT
from ytc_release.init.detect import service_globs
from ytc_release.init.plan import library_pyproject
from ytc_release.init.setup_files import read_setup_py
from ytc_release.pipeline.imports import ImportFailure, findings, is_exempt, wheel_modules

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def test_setup_py_is_read_without_running_it(tmp_path: Path) -> None:
    path = tmp_path / "setup.py"
    path.write_text(SETUP_PY.replace("install_requires=[]", 'install_requires=["redis>=5", "celery>=5.3"]'))
    declared = read_setup_py(path)
    assert (declared.name, declared.version, declared.requires_python) == ("ytcaption-common", "1.0.0", ">=3.10")
    assert declared.dependencies == ["redis>=5", "celery>=5.3"]
    assert declared.import_names == ["common"] and declared.folder_is_package
    assert declared.unread == []  # `packages=` is computed, but it is not needed


def test_a_computed_argument_is_reported_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "setup.py"
    path.write_text("from setuptools import setup\nVERSION = open('v').read()\nsetup(name='x', version=VERSION)\n")
    declared = read_setup_py(path)
    assert declared.version is None and declared.unread == ["version"]


def test_the_written_pyproject_keeps_name_dependencies_and_one_version_source(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text(SETUP_PY.replace("install_requires=[]", 'install_requires=["redis>=5"]'))
    declared = read_setup_py(tmp_path / "setup.py")
    data = tomllib.loads(library_pyproject(declared, "ytcaption-common", "common", None, "README.md"))
    assert data["project"]["dependencies"] == ["redis>=5"] and data["project"]["dynamic"] == ["version"]
    assert "version" not in data["project"] and data["tool"]["hatch"]["version"]["path"] == "__init__.py"
    wheel = data["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["sources"] == {"": "common"}
    assert {"conftest.py", "test_*.py", "/setup.py"} <= set(wheel["exclude"])
    static = tomllib.loads(library_pyproject(declared, "ytcaption-common", "common", "1.0.0", None))
    assert static["project"]["version"] == "1.0.0" and "version" not in static["tool"]["hatch"]


def test_service_globs_collapse_a_folder_of_services(tmp_path: Path) -> None:
    for name in ("services/a", "services/b", "tools/x", "tools/y", "orchestrator"):
        (tmp_path / name).mkdir(parents=True)
    found = [tmp_path / "services/a", tmp_path / "services/b", tmp_path / "tools/x", tmp_path / "orchestrator"]
    assert service_globs(tmp_path, found) == ["orchestrator", "services/*", "tools/x"]


def test_exempt_modules_cover_their_submodules_and_globs() -> None:
    assert is_exempt("common.test_utils.fixtures", ("common.test_utils",))
    assert is_exempt("common.test_utils", ("common.test_utils",))
    assert not is_exempt("common.test_utilsx", ("common.test_utils",))
    assert is_exempt("common.mock_redis", ("common.mock_*",))


def test_findings_separate_undeclared_dependencies_from_other_failures() -> None:
    project = PROJECT.__class__(**{**PROJECT.__dict__, "import_check_exempt": ("ytcaption_common.testing",)})
    failures = [
        ImportFailure("ytcaption_common.http", "ModuleNotFoundError", "No module named 'httpx'", "httpx"),
        ImportFailure("ytcaption_common.cache", "ModuleNotFoundError", "No module named 'redis'", "redis"),
        ImportFailure("ytcaption_common.boom", "RuntimeError", "no config", None),
        ImportFailure("ytcaption_common.testing", "ModuleNotFoundError", "No module named 'pytest'", "pytest"),
    ]
    problems, notes = findings(failures, project, ["redis>=5"], "lib/pyproject.toml")
    assert problems[0].startswith("ytcaption_common.http does not import: it needs the module `httpx`")
    assert "lib/pyproject.toml" in problems[0]
    assert problems[1] == "ytcaption_common.cache does not import: ModuleNotFoundError: No module named 'redis'"
    assert problems[2] == "ytcaption_common.boom does not import: RuntimeError: no config"
    assert notes == [
        "ytcaption_common.testing does not import (needs `pytest`, not declared); exempt by import-check-exempt"
    ]


def test_wheel_modules_are_every_module_of_the_import_packages(tmp_path: Path) -> None:
    path = tmp_path / "x-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name in ["common/__init__.py", "common/a/__init__.py", "common/a/b.py", "common/py.typed", "other/x.py"]:
            zf.writestr(name, "")
    assert wheel_modules(path, ("common",)) == ["common", "common.a", "common.a.b"]
