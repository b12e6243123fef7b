"""The run's settings: each resolved argument > environment > .pypirc > default, from an
explicit environment, and settings.py the only module that reads the process's own."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from ytc_release.errors import ConfigurationError, RepositoryLayoutError
from ytc_release.settings import ENVIRONMENT, Settings, index_config
from ytc_release.target import resolve_configured

PACKAGE = Path(__file__).resolve().parents[2] / "ytc_release"
SECTION = "[private]\nrepository = https://idx.example/\nusername = ci\npassword = file-pw\n"


def bundle(tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")
    return str(path)


def test_repository_argument_then_twine_repository_then_none() -> None:
    assert index_config({"TWINE_REPOSITORY": "env"}, repository="arg").repository == "arg"
    assert index_config({"TWINE_REPOSITORY": "env"}).repository == "env"
    assert index_config({}).repository is None


def test_an_empty_variable_counts_as_unset() -> None:
    assert index_config({"TWINE_REPOSITORY": "", "TWINE_CERT": ""}) == index_config({})


# The CA bundle, most to least preferred: twine's --cert / TWINE_CERT, .pypirc's ca_cert,
# then the variables requests, pip and OpenSSL read; none: the system's store.
CA_ORDER = ["--cert", "TWINE_CERT", "ca_cert", "REQUESTS_CA_BUNDLE", "PIP_CERT", "SSL_CERT_FILE"]


@pytest.mark.parametrize("winner", range(len(CA_ORDER)))
def test_ca_bundle_precedence(tmp_path: Path, winner: int) -> None:
    present = CA_ORDER[winner:]  # the winner and everything it outranks
    paths = {name: bundle(tmp_path, name.strip("-")) for name in present}
    section = SECTION + (f"ca_cert = {paths['ca_cert']}\n" if "ca_cert" in paths else "")
    (tmp_path / "pypirc").write_text(section)
    env = {"TWINE_CONFIG_FILE": str(tmp_path / "pypirc")}
    env |= {name: path for name, path in paths.items() if name.isupper()}
    target = resolve_configured(index_config(env, repository="private", cert=paths.get("--cert")))
    assert target is not None and target.ca_bundle == paths[CA_ORDER[winner]]


def test_no_ca_bundle_means_the_systems(tmp_path: Path) -> None:
    (tmp_path / "pypirc").write_text(SECTION)
    target = resolve_configured(index_config({"TWINE_CONFIG_FILE": str(tmp_path / "pypirc")}, repository="private"))
    assert target is not None and target.ca_bundle is None


def test_a_bundle_named_in_the_environment_must_exist(tmp_path: Path) -> None:
    env = {"TWINE_REPOSITORY_URL": "https://idx.example/", "TWINE_USERNAME": "u", "TWINE_PASSWORD": "p"}
    with pytest.raises(ConfigurationError, match=r"PIP_CERT names .*absent.pem, which is not a file"):
        resolve_configured(index_config({**env, "PIP_CERT": str(tmp_path / "absent.pem")}))


def test_credentials_environment_then_pypirc(tmp_path: Path) -> None:
    (tmp_path / "pypirc").write_text(SECTION)
    env = {"TWINE_CONFIG_FILE": str(tmp_path / "pypirc")}
    from_file = resolve_configured(index_config(env, repository="private"))
    assert from_file is not None and from_file.auth == ("ci", "file-pw")
    both = {**env, "TWINE_USERNAME": "env-user", "TWINE_PASSWORD": "env-pw"}
    from_env = resolve_configured(index_config(both, repository="private"))
    assert from_env is not None and from_env.auth == ("env-user", "env-pw")


def test_pip_index_url_environment_then_none(tmp_path: Path) -> None:
    env = {"TWINE_REPOSITORY_URL": "https://idx.example/", "TWINE_USERNAME": "u", "TWINE_PASSWORD": "p"}
    plain = resolve_configured(index_config(env))
    assert plain is not None and plain.simple_url == "https://idx.example/simple/"
    reader = resolve_configured(index_config({**env, "PIP_INDEX_URL": "https://r:pw@mirror.example/simple"}))
    assert reader is not None and reader.simple_url == "https://mirror.example/simple/"
    assert reader.simple_auth == ("r", "pw")


def test_index_port_environment_then_default() -> None:
    assert index_config({"YTC_INDEX_PORT": "18001"}).index_port == 18001
    assert index_config({}).index_port == 8080


@pytest.mark.parametrize("value", ["http", "0", "70000", "-1"])
def test_a_bad_index_port_says_what_to_do(value: str) -> None:
    with pytest.raises(ConfigurationError, match=f"YTC_INDEX_PORT={value} is not a port"):
        index_config({"YTC_INDEX_PORT": value})


def make_checkout(path: Path) -> Path:
    (path / "common").mkdir(parents=True)
    (path / "common" / "pyproject.toml").write_text("[project]\nname = 'ytcaption-common'\nversion = '1.0.0'\n")
    (path / "pyproject.toml").write_text('[tool.ytc-release]\nlibrary = "common"\nindex-home = "index"\n')
    return path


def test_repository_root_environment_then_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here, there = make_checkout(tmp_path / "here"), make_checkout(tmp_path / "there")
    (here / "sub").mkdir()
    monkeypatch.chdir(here / "sub")
    assert Settings.resolve(environ={}).lay.root == here
    assert Settings.resolve(environ={"YTC_REPO_ROOT": str(there)}).lay.root == there
    with pytest.raises(RepositoryLayoutError, match=r"has no pyproject\.toml with a \[tool\.ytc-release\] table"):
        _ = Settings.resolve(environ={"YTC_REPO_ROOT": str(tmp_path)}).lay


def test_index_home_environment_then_the_checkouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_checkout(tmp_path / "repo")
    monkeypatch.chdir(root)
    assert Settings.resolve(environ={}).lay.index_home == root / "index"
    settings = Settings.resolve(environ={"YTC_INDEX_HOME": str(tmp_path / "data"), "YTC_INDEX_PORT": "18002"})
    assert settings.lay.index_home == tmp_path / "data"
    assert settings.embedded().home == tmp_path / "data" and settings.embedded().port == 18002


def test_build_and_lock_defaults_environment_then_none() -> None:
    given = Settings.resolve(environ={"SOURCE_DATE_EPOCH": "1700000000", "YTC_LOCK_PYTHON": "3.12"})
    assert (given.source_date_epoch, given.lock_python) == ("1700000000", "3.12")
    default = Settings.resolve(environ={})
    assert (default.source_date_epoch, default.lock_python) == (None, None)


def test_resolving_changes_no_environment(tmp_path: Path) -> None:
    environ = {"TWINE_CERT": bundle(tmp_path, "env")}
    before = dict(os.environ)
    settings = Settings.resolve(cert=bundle(tmp_path, "arg"), environ=environ)
    assert settings.cert == str(tmp_path / "arg.pem")
    assert environ == {"TWINE_CERT": str(tmp_path / "env.pem")} and dict(os.environ) == before


def test_every_variable_is_documented() -> None:
    source = (PACKAGE / "settings.py").read_text()
    for name in ENVIRONMENT:
        assert f'"{name}"' in source.split("ENVIRONMENT = {", 1)[1]


# Modules that read the process environment, and why. Anything else must take its
# setting from Settings: a new reader fails here until it is moved or listed.
ALLOWED_READERS = {
    "settings.py": "the one resolver of every setting's environment default",
    "toolkit/runner.py": "clean_pip_env: a subprocess's environment, built from the current one",
    "index/client.py": "twine's environment, built from the current one",
    "pipeline/build.py": "`python -m build`'s environment, built from the current one",
    "index/embedded.py": "the index server's environment, built from the current one (plus its owned names)",
    "images/podman.py": "podman's environment, built from the current one",
    "services/smoke.py": "the service's environment: a few variables of the current one (PATH, LC_*)",
    "toolkit/caches.py": "where caches live (XDG_CACHE_HOME, a test's own YTC_*_CACHE), as pip and uv decide it",
}


def environment_readers(path: Path) -> list[int]:
    """Lines that touch os.environ or call os.getenv / os.putenv."""
    names = {"environ", "getenv", "putenv", "environb", "unsetenv"}
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in names
        ) or (isinstance(node, ast.ImportFrom) and node.module == "os" and {a.name for a in node.names} & names):
            lines.append(node.lineno)
    return lines


def test_nothing_else_reads_the_environment() -> None:
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := environment_readers(path))
    }
    assert set(found) - set(ALLOWED_READERS) == set(), found
    assert set(ALLOWED_READERS) <= set(found), "an allowed reader no longer reads it: drop it from the list"


def test_the_reader_finder_finds_readers(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom os import getenv\nx = os.environ.get('A')\ny = os.getenv('B')\n")
    assert sorted(environment_readers(sample)) == [2, 3, 4]
