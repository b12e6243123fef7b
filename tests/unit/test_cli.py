"""The command line: its settings with twine's environment defaults, and the
one place errors are printed (masked)."""

from __future__ import annotations

import argparse
import os

import pytest

from ytc_release import cli
from ytc_release.errors import ConfigurationError
from ytc_release.settings import Settings


@pytest.fixture(autouse=True)
def no_twine_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TWINE_CERT", "TWINE_REPOSITORY", "TWINE_REPOSITORY_URL"):
        monkeypatch.delenv(name, raising=False)


def settings_for(*argv: str) -> Settings:
    return Settings.from_args(cli.build_parser().parse_args(list(argv)))


def test_cert_defaults_to_twine_cert(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINE_CERT", "/etc/ca.pem")
    assert settings_for("status").cert == "/etc/ca.pem"


def test_cert_argument_wins_and_leaves_the_environment_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINE_CERT", "/etc/ca.pem")
    settings = settings_for("--cert", "/tmp/mine.pem", "status")
    assert settings.cert == "/tmp/mine.pem"
    assert settings.config.cert is not None and settings.config.cert.path == "/tmp/mine.pem"
    # twine and pip get it in the environment built for each call (IndexTarget.tool_env), not this one
    assert os.environ["TWINE_CERT"] == "/etc/ca.pem"


@pytest.mark.parametrize(("argv", "repository"), [(["status"], None), (["status", "--repository", "prod"], "prod")])
def test_repository(argv: list[str], repository: str | None) -> None:
    assert settings_for(*argv).repository == repository


def test_commands_without_repository_have_none() -> None:
    assert settings_for("bump", "patch").repository is None


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        settings_for("status").cert = "x"  # type: ignore[misc]


def test_every_command_has_its_own_module() -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    commands = set(sub.choices)
    assert commands == {
        "build", "release", "publish", "bump", "status", "check", "guard", "images",
        "lock", "fleet", "migrate", "smoke", "index", "init", "provenance",
    }  # fmt: skip
    for name in commands:
        func = sub.choices[name].get_default("func")
        if func is not None:
            assert func.__module__ == f"ytc_release.commands.{name}"


def test_errors_are_printed_masked_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(settings: Settings, args: argparse.Namespace) -> int:
        raise ConfigurationError("https://ci:hunter2secret@idx.example/ refused", "check the password")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub.choices["bump"].set_defaults(func=fail)
    assert cli.main(["bump", "patch"]) == 1
    err = capsys.readouterr().err
    assert "hunter2secret" not in err
    assert err == "error: https://ci:***@idx.example/ refused\n  what to do: check the password\n"
