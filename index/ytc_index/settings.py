"""The index's settings, each declared once below (name, environment variable,
default, help). The dataclass, `from_env` (YTC_INDEX_* variables, so that the
embedded server and the compose service are configured the same way) and the
command line (`python -m ytc_index --help`) are all derived from SETTINGS; the
compose file is tested against it (tests/index/test_compose_files.py)."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypiserver.config import DEFAULTS

from ytc_index.pages import default_pages_dir
from ytc_index.state import default_state_dir

AUTH_ACTIONS = ("download", "list", "update")


def csv(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def owned_names(value: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`PROJECT=NAME[:NAME...]`, comma-separated: the top-level import names a project's wheels
    may hold (a project not listed owns its normalised name with `_`, e.g. ytcaption_common)."""
    owned = []
    for item in csv(value):
        project, sep, names = item.partition("=")
        found = tuple(n.strip() for n in names.split(":") if n.strip())
        if not sep or not project.strip() or not found or not all(n.isidentifier() for n in found):
            raise ValueError(f"{item!r} is not PROJECT=NAME[:NAME...] (e.g. ytcaption-common=common)")
        owned.append((project.strip(), found))
    return tuple(owned)


def _optional_path(value: str) -> Path | None:
    return Path(value) if value else None


def _number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number") from None


@dataclass(frozen=True)
class Setting:
    name: str  # the IndexSettings field; the variable is YTC_INDEX_<NAME>, the option --<name>
    default: Any
    help: str
    parse: Callable[[str], Any] = str
    # csv settings: set-but-empty means "none" (e.g. no reserved pattern); the others: empty means the default.
    empty_is_value: bool = False

    @property
    def env(self) -> str:
        return f"YTC_INDEX_{self.name.upper()}"

    @property
    def option(self) -> str:
        return "--" + self.name.replace("_", "-")

    def from_text(self, raw: str | None) -> Any:
        if raw is None or (raw == "" and not self.empty_is_value):
            return self.default
        try:
            return self.parse(raw)
        except ValueError as err:
            raise ValueError(f"{self.env}: {err}") from None


SETTINGS = (
    Setting("packages", Path("/data/packages"), "the package folder (embedded: index/packages)", Path),
    Setting("htpasswd", None, "the accounts file (bcrypt); roles in <htpasswd>.roles", _optional_path),
    Setting("host", "127.0.0.1", "address to listen on"),
    Setting("port", 8080, "port to listen on", _number),
    Setting("fallback_url", DEFAULTS.FALLBACK_URL, "where names the index does not hold are redirected"),
    Setting(
        "reserved",
        ("ytcaption-*",),
        "comma-separated name patterns that are ours (uploadable, never upstream)",
        csv,
        True,
    ),
    Setting("allow", (), "further uploadable (and private) name patterns, comma-separated", csv, True),
    Setting("authenticate", ("update",), "actions that need a login: update[,list,download]", csv, True),
    Setting("threads", 16, "waitress worker threads", _number),
    Setting("log_file", None, "log file (default: standard error)", _optional_path),
    Setting("channel_timeout", 30, "seconds an idle (or stalled) connection is kept", _number),
    Setting("connection_limit", 1000, "open connections at most", _number),
    Setting("max_upload_mb", 200, "largest upload body, in MB", _number),
    Setting("release_window", 900, "seconds a release stays open for its other half", _number),
    Setting("max_failures", 10, "failed logins per client address per window before 429", _number),
    Setting("failure_window", 60, "the failed-login window, in seconds", _number),
    Setting(
        "trusted_proxy",
        (),
        "addresses or networks of the proxy (nginx) whose X-Real-IP names the client, comma-separated",
        csv,
        True,
    ),
    Setting("max_header_kb", 16, "largest request head (request line and headers), in KiB", _number),
    Setting("max_metadata_kb", 1024, "largest METADATA/PKG-INFO in an uploaded file, in KiB", _number),
    Setting("max_unpacked_mb", 1024, "largest uncompressed content of an uploaded wheel, in MB", _number),
    Setting(
        "owned_names",
        (),
        "top-level import names per project, PROJECT=NAME[:NAME...] comma-separated (default: the project's name)",
        owned_names,
        True,
    ),
    Setting("state_dir", None, "the index's own records (default: <packages>/../state)", _optional_path),
    Setting("pages_dir", None, "the static pages and metadata files (default: <packages>/../static)", _optional_path),
)
_DECLARED = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class IndexSettings:
    packages: Path
    htpasswd: Path | None
    host: str = field(default=_DECLARED["host"].default)
    port: int = field(default=_DECLARED["port"].default)
    # Names the index does not hold are redirected here (pypiserver's default: the public index).
    fallback_url: str = field(default=_DECLARED["fallback_url"].default)
    # fnmatch patterns of names that are ours even before their first upload: never redirected,
    # and the only names (with `allow`) that may be uploaded.
    reserved: tuple[str, ...] = field(default=_DECLARED["reserved"].default)
    # Further names (fnmatch patterns) that may be uploaded: an explicit, reviewed list.
    allow: tuple[str, ...] = field(default=_DECLARED["allow"].default)
    authenticate: tuple[str, ...] = field(default=_DECLARED["authenticate"].default)
    threads: int = field(default=_DECLARED["threads"].default)
    log_file: Path | None = field(default=_DECLARED["log_file"].default)
    # Slow clients: the server drops a connection idle this long, and holds at most this many.
    channel_timeout: int = field(default=_DECLARED["channel_timeout"].default)
    connection_limit: int = field(default=_DECLARED["connection_limit"].default)
    max_upload_mb: int = field(default=_DECLARED["max_upload_mb"].default)
    # A release closes this long after its first file (see index/README.md, "Immutable releases").
    release_window: int = field(default=_DECLARED["release_window"].default)
    # Failed logins: at most this many per client per window, then 429 until the window passes.
    max_failures: int = field(default=_DECLARED["max_failures"].default)
    failure_window: int = field(default=_DECLARED["failure_window"].default)
    # Behind nginx: the peer addresses whose X-Real-IP is believed (the brake counts that client).
    trusted_proxy: tuple[str, ...] = field(default=_DECLARED["trusted_proxy"].default)
    # Limits on what a client may send (index/README.md, "Limits").
    max_header_kb: int = field(default=_DECLARED["max_header_kb"].default)
    max_metadata_kb: int = field(default=_DECLARED["max_metadata_kb"].default)
    max_unpacked_mb: int = field(default=_DECLARED["max_unpacked_mb"].default)
    # Which top-level import names each project's wheels may install (archives.py).
    owned_names: tuple[tuple[str, tuple[str, ...]], ...] = field(default=_DECLARED["owned_names"].default)
    # The index's own state (journal, private names, yank marks); None: `<packages>/../state`.
    state_dir: Path | None = field(default=_DECLARED["state_dir"].default)
    # The static simple pages and metadata files (served by nginx, or by the app); None: `<packages>/../static`.
    pages_dir: Path | None = field(default=_DECLARED["pages_dir"].default)

    @property
    def state(self) -> Path:
        return self.state_dir if self.state_dir is not None else default_state_dir(self.packages)

    @property
    def pages(self) -> Path:
        return self.pages_dir if self.pages_dir is not None else default_pages_dir(self.packages)

    def validate(self) -> None:
        if not self.authenticate:
            raise ValueError(
                "YTC_INDEX_AUTHENTICATE is empty: uploads would be anonymous; "
                "set it to `update` (or `update,list,download` to also protect reads)"
            )
        unknown = [a for a in self.authenticate if a not in AUTH_ACTIONS]
        if unknown:
            raise ValueError(f"YTC_INDEX_AUTHENTICATE: unknown action(s) {unknown}; use {', '.join(AUTH_ACTIONS)}")
        if "update" not in self.authenticate:
            raise ValueError(
                f"YTC_INDEX_AUTHENTICATE={','.join(self.authenticate)} lacks `update`: uploads would be "
                f"anonymous; use `update,{','.join(self.authenticate)}`"
            )
        if self.htpasswd is None:
            raise ValueError("uploads need accounts: set YTC_INDEX_HTPASSWD to the htpasswd file (see index/README.md)")
        for proxy in self.trusted_proxy:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"YTC_INDEX_TRUSTED_PROXY: {proxy!r} is not an address or network") from None
        if not self.reserved and not self.allow:
            raise ValueError("YTC_INDEX_RESERVED and YTC_INDEX_ALLOW are both empty: no name could be uploaded")
        for name in (
            "threads",
            "channel_timeout",
            "connection_limit",
            "max_upload_mb",
            "max_failures",
            "max_header_kb",
            "max_metadata_kb",
            "max_unpacked_mb",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 (got {getattr(self, name)})")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> IndexSettings:
        """Every declared setting from its YTC_INDEX_* variable (unset: the default;
        compose passes an empty value when unset, which also means the default)."""
        env = dict(os.environ if env is None else env)
        return cls(**{s.name: s.from_text(env.get(s.env)) for s in SETTINGS})
