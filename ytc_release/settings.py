"""The settings of one `ytc-release` run, built once by the CLI from its
arguments, the environment and ~/.pypirc (twine's conventions: --repository or
TWINE_REPOSITORY, --cert or TWINE_CERT, TWINE_CONFIG_FILE, ca_cert), and the one
place that answers "which index" for every command (Settings.index).

This is the only module that reads the environment for a setting: every other
module gets what it needs from the frozen Settings, as arguments. Precedence is
argument > environment > .pypirc > default (ENVIRONMENT lists the variables)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ytc_release.errors import ConfigurationError
from ytc_release.index.embedded import DEFAULT_PORT, EmbeddedIndex
from ytc_release.paths import Layout, find_repo_root
from ytc_release.target import IndexConfig, IndexTarget, NamedPath, embedded_index, resolve_index
from ytc_release.toolkit.report import Reporter

# Every variable a setting defaults from, and what it sets.
ENVIRONMENT = {
    "TWINE_REPOSITORY": "--repository: a section of the .pypirc",
    "TWINE_REPOSITORY_URL": "the index to upload to (with TWINE_USERNAME and TWINE_PASSWORD)",
    "TWINE_USERNAME": "the index account (overrides the .pypirc's username)",
    "TWINE_PASSWORD": "its password (overrides the .pypirc's password)",
    "TWINE_CERT": "--cert: the CA bundle of an HTTPS index (before the .pypirc's ca_cert)",
    "TWINE_CONFIG_FILE": "the .pypirc to read (default ~/.pypirc)",
    "REQUESTS_CA_BUNDLE": "a CA bundle when neither --cert nor ca_cert names one",
    "PIP_CERT": "likewise, after REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE": "likewise, after PIP_CERT",
    "PIP_INDEX_URL": "where installs and listings read from (credentials in it included)",
    "YTC_REPO_ROOT": "the ytcaption checkout (default: the one around the working directory)",
    "YTC_INDEX_HOME": "the embedded index's data (default: index/ of the checkout)",
    "YTC_INDEX_PORT": f"the embedded index's port (default {DEFAULT_PORT})",
    "SOURCE_DATE_EPOCH": "the build's timestamps (default: the last commit that touched common/)",
    "YTC_LOCK_PYTHON": "a lock's Python when the service's base image does not tell",
}
# Honoured in this order when neither --cert / TWINE_CERT nor ca_cert names a bundle.
CA_FALLBACKS = ("REQUESTS_CA_BUNDLE", "PIP_CERT", "SSL_CERT_FILE")


class EnvironmentDefault(argparse.Action):
    """An option whose default is an environment variable (as twine's)."""

    def __init__(self, env: str, required: bool = False, default: str | None = None, **kwargs: object) -> None:
        default = os.environ.get(env, default)
        super().__init__(default=default, required=required and not default, **kwargs)  # type: ignore[arg-type]
        self.env = env

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, values)


def _port(value: str | None) -> int:
    if not value:
        return DEFAULT_PORT
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigurationError(f"YTC_INDEX_PORT={value} is not a port", "set it to a number from 1 to 65535")
    return int(value)


def index_config(environ: Mapping[str, str], *, repository: str | None = None, cert: str | None = None) -> IndexConfig:
    """Where the index is and how to reach it: the arguments, else the environment, else defaults."""
    env = {k: v for k, v in environ.items() if v}  # an empty variable counts as unset, as for twine
    cert = cert or env.get("TWINE_CERT")
    cert_named = NamedPath(cert, "--cert / TWINE_CERT") if cert else None
    fallback = next((NamedPath(env[n], n) for n in CA_FALLBACKS if n in env), None)
    return IndexConfig(
        repository=repository or env.get("TWINE_REPOSITORY"),
        repository_url=env.get("TWINE_REPOSITORY_URL"),
        username=env.get("TWINE_USERNAME"),
        password=env.get("TWINE_PASSWORD"),
        cert=cert_named,
        ca_fallback=fallback,
        config_file=Path(env.get("TWINE_CONFIG_FILE", Path.home() / ".pypirc")).expanduser(),
        pip_index_url=env.get("PIP_INDEX_URL", ""),
        index_port=_port(env.get("YTC_INDEX_PORT")),
    )


@dataclass(frozen=True)
class Settings:
    repository: str | None = None  # --repository: a section of ~/.pypirc (TWINE_REPOSITORY is in `config`)
    cert: str | None = None  # --cert / TWINE_CERT: CA bundle for an HTTPS index
    report: Reporter = field(default_factory=Reporter)  # everything the run prints goes through it
    config: IndexConfig = field(default_factory=IndexConfig)  # which index, and how to reach it
    repo_root: str | None = None  # YTC_REPO_ROOT
    index_home: str | None = None  # YTC_INDEX_HOME
    source_date_epoch: str | None = None  # SOURCE_DATE_EPOCH
    lock_python: str | None = None  # YTC_LOCK_PYTHON

    @classmethod
    def from_args(cls, args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> Settings:
        return cls.resolve(repository=getattr(args, "repository", None), cert=args.cert, environ=environ)

    @classmethod
    def resolve(
        cls, *, repository: str | None = None, cert: str | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """The settings from these arguments, with ``environ`` (the process's) as defaults."""
        environ = os.environ if environ is None else environ
        config = index_config(environ, repository=repository, cert=cert)
        return cls(
            repository=repository,
            cert=config.cert.path if config.cert else None,
            config=config,
            repo_root=environ.get("YTC_REPO_ROOT") or None,
            index_home=environ.get("YTC_INDEX_HOME") or None,
            source_date_epoch=environ.get("SOURCE_DATE_EPOCH") or None,
            lock_python=environ.get("YTC_LOCK_PYTHON") or None,
        )

    def layout_at(self, start: Path | None = None) -> Layout:
        """The checkout YTC_REPO_ROOT names, else the one around ``start`` (the working directory)."""
        root = find_repo_root(start, root=self.repo_root)
        return Layout(root, Path(self.index_home) if self.index_home else None)

    @cached_property
    def lay(self) -> Layout:
        """The repository around the current directory (looked up when a command needs it)."""
        return self.layout_at()

    def embedded(self, lay: Layout | None = None) -> EmbeddedIndex:
        lay = lay or self.lay
        return embedded_index(lay.index_home, self.config, lay.project.owned_names)

    def index(
        self, *, start: bool = False, report: Reporter | None = None, lay: Layout | None = None
    ) -> IndexTarget | None:
        lay = lay or self.lay
        return resolve_index(
            lay.index_home, self.config, start=start, report=report, owned_names=lay.project.owned_names
        )
