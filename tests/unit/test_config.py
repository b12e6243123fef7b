"""Which index the environment and ~/.pypirc name (twine's conventions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ytc_release.errors import ConfigurationError
from ytc_release.pypirc import default_path, read_repository, write_repository
from ytc_release.target import _from_pypirc, resolve_configured

TWINE_VARS = ("TWINE_REPOSITORY_URL", "TWINE_USERNAME", "TWINE_PASSWORD", "TWINE_REPOSITORY", "TWINE_CONFIG_FILE")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (*TWINE_VARS, "PIP_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no real ~/.pypirc


def pypirc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    path = tmp_path / "pypirc"
    path.write_text(text)
    monkeypatch.setenv("TWINE_CONFIG_FILE", str(path))
    return path


SECTION = "[private]\nrepository = https://idx.example/\nusername = ci\npassword = from-file-pw\n"


def test_nothing_configured_is_none() -> None:
    assert resolve_configured() is None


def test_repository_url_with_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINE_REPOSITORY_URL", "https://idx.example/")
    monkeypatch.setenv("TWINE_USERNAME", "ci")
    monkeypatch.setenv("TWINE_PASSWORD", "env-password")
    target = resolve_configured()
    assert target is not None
    assert (target.upload_url, target.auth, target.source) == (
        "https://idx.example/",
        ("ci", "env-password"),
        "TWINE_REPOSITORY_URL",
    )


@pytest.mark.parametrize("missing", ["TWINE_USERNAME", "TWINE_PASSWORD"])
def test_repository_url_without_both_credentials_never_prompts(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    monkeypatch.setenv("TWINE_REPOSITORY_URL", "https://idx.example/")
    monkeypatch.setenv("TWINE_USERNAME", "ci")
    monkeypatch.setenv("TWINE_PASSWORD", "env-password")
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigurationError, match="TWINE_USERNAME or TWINE_PASSWORD"):
        resolve_configured()


@pytest.mark.parametrize("url", ["ftp://idx.example/", "idx.example", "file:///srv/packages"])
def test_repository_url_must_be_http(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("TWINE_REPOSITORY_URL", url)
    monkeypatch.setenv("TWINE_USERNAME", "ci")
    monkeypatch.setenv("TWINE_PASSWORD", "env-password")
    with pytest.raises(ConfigurationError, match="not an http"):
        resolve_configured()


def test_repository_url_wins_over_a_named_repository(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pypirc(tmp_path, monkeypatch, SECTION)
    monkeypatch.setenv("TWINE_REPOSITORY_URL", "https://other.example/")
    monkeypatch.setenv("TWINE_USERNAME", "ci")
    monkeypatch.setenv("TWINE_PASSWORD", "env-password")
    target = resolve_configured("private")
    assert target is not None and target.upload_url == "https://other.example/"


@pytest.mark.parametrize("how", ["argument", "TWINE_REPOSITORY"])
def test_a_named_repository_comes_from_pypirc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, how: str) -> None:
    path = pypirc(tmp_path, monkeypatch, SECTION)
    if how == "TWINE_REPOSITORY":
        monkeypatch.setenv("TWINE_REPOSITORY", "private")
    target = resolve_configured("private" if how == "argument" else None)
    assert target is not None
    assert (target.upload_url, target.auth, target.source) == (
        "https://idx.example/",
        ("ci", "from-file-pw"),
        f"{path} [private]",
    )


def test_pypirc_env_credentials_win(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pypirc(tmp_path, monkeypatch, SECTION)
    monkeypatch.setenv("TWINE_USERNAME", "other")
    monkeypatch.setenv("TWINE_PASSWORD", "env-password")
    assert _from_pypirc("private").auth == ("other", "env-password")


def test_pypirc_password_may_come_from_the_environment_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pypirc(tmp_path, monkeypatch, "[private]\nrepository = https://idx.example/\nusername = ci\n")
    monkeypatch.setenv("TWINE_PASSWORD", "env-password")
    assert _from_pypirc("private").password == "env-password"


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
def test_pypirc_problems_are_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str, problem: str) -> None:
    pypirc(tmp_path, monkeypatch, text)
    with pytest.raises(ConfigurationError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        _from_pypirc("private")


def test_a_missing_pypirc_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TWINE_CONFIG_FILE", str(tmp_path / "absent"))
    with pytest.raises(ConfigurationError, match="does not exist"):
        _from_pypirc("private")


def test_pypirc_ca_cert_is_the_targets_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    pypirc(tmp_path, monkeypatch, SECTION + f"ca_cert = {bundle}\n")
    target = _from_pypirc("private")
    assert target.ca_cert == str(bundle)
    assert target.ca_bundle == str(bundle)


def test_pypirc_values_are_not_interpolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pypirc(tmp_path, monkeypatch, "[private]\nrepository = https://idx.example/\nusername = ci\npassword = 50%off\n")
    assert _from_pypirc("private").password == "50%off"


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
    assert default_path() == tmp_path / ".pypirc"
    monkeypatch.setenv("TWINE_CONFIG_FILE", "~/elsewhere.ini")
    assert default_path() == tmp_path / "elsewhere.ini"
