"""Which index the environment and ~/.pypirc name (twine's conventions), resolved from
an explicit environment: nothing here depends on the process's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from ytc_release.errors import ConfigurationError
from ytc_release.pypirc import read_repository, write_repository
from ytc_release.settings import index_config
from ytc_release.target import IndexTarget, resolve_configured

CREDENTIALS = {"TWINE_USERNAME": "ci", "TWINE_PASSWORD": "env-password"}
SECTION = "[private]\nrepository = https://idx.example/\nusername = ci\npassword = from-file-pw\n"


def resolve(env: dict[str, str], repository: str | None = None) -> IndexTarget | None:
    """What the settings built from ``env`` (the environment, nothing else) resolve to."""
    return resolve_configured(index_config(env, repository=repository))


def pypirc(tmp_path: Path, text: str) -> dict[str, str]:
    """A .pypirc holding ``text``, and the environment that names it."""
    path = tmp_path / "pypirc"
    path.write_text(text)
    return {"TWINE_CONFIG_FILE": str(path)}


def from_pypirc(env: dict[str, str]) -> IndexTarget:
    target = resolve(env, "private")
    assert target is not None
    return target


def test_nothing_configured_is_none() -> None:
    assert resolve({}) is None


def test_repository_url_with_credentials() -> None:
    target = resolve({"TWINE_REPOSITORY_URL": "https://idx.example/", **CREDENTIALS})
    assert target is not None
    assert (target.upload_url, target.auth, target.source) == (
        "https://idx.example/",
        ("ci", "env-password"),
        "TWINE_REPOSITORY_URL",
    )


@pytest.mark.parametrize("missing", ["TWINE_USERNAME", "TWINE_PASSWORD"])
def test_repository_url_without_both_credentials_never_prompts(missing: str) -> None:
    env = {"TWINE_REPOSITORY_URL": "https://idx.example/", **CREDENTIALS}
    del env[missing]
    with pytest.raises(ConfigurationError, match="TWINE_USERNAME or TWINE_PASSWORD"):
        resolve(env)


@pytest.mark.parametrize("url", ["ftp://idx.example/", "idx.example", "file:///srv/packages"])
def test_repository_url_must_be_http(url: str) -> None:
    with pytest.raises(ConfigurationError, match="not an http"):
        resolve({"TWINE_REPOSITORY_URL": url, **CREDENTIALS})


def test_repository_url_wins_over_a_named_repository(tmp_path: Path) -> None:
    env = {**pypirc(tmp_path, SECTION), "TWINE_REPOSITORY_URL": "https://other.example/", **CREDENTIALS}
    target = resolve(env, "private")
    assert target is not None and target.upload_url == "https://other.example/"


@pytest.mark.parametrize("how", ["argument", "TWINE_REPOSITORY"])
def test_a_named_repository_comes_from_pypirc(tmp_path: Path, how: str) -> None:
    env = pypirc(tmp_path, SECTION)
    if how == "TWINE_REPOSITORY":
        env["TWINE_REPOSITORY"] = "private"
    target = resolve(env, "private" if how == "argument" else None)
    assert target is not None
    assert (target.upload_url, target.auth, target.source) == (
        "https://idx.example/",
        ("ci", "from-file-pw"),
        f"{tmp_path / 'pypirc'} [private]",
    )


def test_pypirc_env_credentials_win(tmp_path: Path) -> None:
    env = {**pypirc(tmp_path, SECTION), "TWINE_USERNAME": "other", "TWINE_PASSWORD": "env-password"}
    assert from_pypirc(env).auth == ("other", "env-password")


def test_pypirc_password_may_come_from_the_environment_only(tmp_path: Path) -> None:
    env = pypirc(tmp_path, "[private]\nrepository = https://idx.example/\nusername = ci\n")
    assert from_pypirc({**env, "TWINE_PASSWORD": "env-password"}).password == "env-password"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[other]\nrepository = https://x/\nusername = u\npassword = pppp\n", "has no [private] section"),
        ("[private]\nusername = u\npassword = pppp\n", "lacks repository"),
        ("[private]\nrepository = https://x/\npassword = pppp\n", "lacks username"),
        ("[private]\npassword = pppp\n", "lacks repository, username"),
        ("[private]\nrepository = https://x/\nusername = u\n", "no password for [private]"),
        ("[private]\nrepository = https://x/\nusername = u\npassword = p\nca_cert = /no/such.pem\n", "is not a file"),
    ],
)
def test_pypirc_problems_are_named(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(ConfigurationError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        from_pypirc(pypirc(tmp_path, text))


def test_a_missing_pypirc_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        from_pypirc({"TWINE_CONFIG_FILE": str(tmp_path / "absent")})


def test_pypirc_ca_cert_is_the_targets_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    target = from_pypirc(pypirc(tmp_path, SECTION + f"ca_cert = {bundle}\n"))
    assert target.ca_cert == str(bundle)
    assert target.ca_bundle == str(bundle)


def test_pypirc_values_are_not_interpolated(tmp_path: Path) -> None:
    env = pypirc(tmp_path, "[private]\nrepository = https://idx.example/\nusername = ci\npassword = 50%off\n")
    assert from_pypirc(env).password == "50%off"


def test_the_embedded_pypirc_round_trips_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "pypirc"
    fields = {"repository": "http://127.0.0.1:8080/", "username": "publisher", "password": "p%w:@x"}
    write_repository(path, "ytcaption", fields)
    assert read_repository(path, "ytcaption") == fields
    assert read_repository(path, "other") is None
    assert path.stat().st_mode & 0o777 == 0o600


def test_reading_a_missing_pypirc(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_repository(tmp_path / "absent", "ytcaption")


def test_the_default_pypirc_is_twines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert index_config({}).config_file == tmp_path / ".pypirc"
    assert index_config({"TWINE_CONFIG_FILE": "~/elsewhere.ini"}).config_file == tmp_path / "elsewhere.ini"
