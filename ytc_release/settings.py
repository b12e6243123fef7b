"""The settings of one `ytc-release` run, built once by the CLI from its
arguments with the environment as defaults (twine's conventions: --repository
or TWINE_REPOSITORY, --cert or TWINE_CERT), and the one place that answers
"which index" for every command (ytc_release.target.resolve_index)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from functools import cached_property

from ytc_release.paths import Layout, layout
from ytc_release.target import IndexTarget, resolve_index
from ytc_release.toolkit.report import Reporter


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


@dataclass(frozen=True)
class Settings:
    repository: str | None = None  # a section of ~/.pypirc
    cert: str | None = None  # CA bundle for an HTTPS index
    report: Reporter = field(default_factory=Reporter)  # everything the run prints goes through it

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Settings:
        settings = cls(repository=getattr(args, "repository", None), cert=args.cert)
        if settings.cert:  # every tool we drive (our client, twine, pip) reads it from there
            os.environ["TWINE_CERT"] = settings.cert
        return settings

    @cached_property
    def lay(self) -> Layout:
        """The repository around the current directory (looked up when a command needs it)."""
        return layout()

    def index(self, *, start: bool = False, report: Reporter | None = None) -> IndexTarget | None:
        return resolve_index(self.lay.index_home, self.repository, start=start, report=report)
