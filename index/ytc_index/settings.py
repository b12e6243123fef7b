"""The index's settings, read from YTC_INDEX_* environment variables so that the
embedded server and the compose service are configured the same way."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pypiserver.config import DEFAULTS

from ytc_index.pages import default_pages_dir
from ytc_index.state import default_state_dir

AUTH_ACTIONS = ("download", "list", "update")


def _csv(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


@dataclass(frozen=True)
class IndexSettings:
    packages: Path
    htpasswd: Path | None
    host: str = "127.0.0.1"
    port: int = 8080
    # Names the index does not hold are redirected here (pypiserver's default: the public index).
    fallback_url: str = DEFAULTS.FALLBACK_URL
    # fnmatch patterns of names that are ours even before their first upload: never redirected,
    # and the only names (with `allow`) that may be uploaded.
    reserved: tuple[str, ...] = ("ytcaption-*",)
    # Further names (fnmatch patterns) that may be uploaded: an explicit, reviewed list.
    allow: tuple[str, ...] = ()
    authenticate: tuple[str, ...] = ("update",)
    threads: int = 16
    log_file: Path | None = None
    # Slow clients: the server drops a connection idle this long, and holds at most this many.
    channel_timeout: int = 30
    connection_limit: int = 1000
    max_upload_mb: int = 200
    # A release closes this long after its first file (see index/README.md, "Immutable releases").
    release_window: int = 900
    # Failed logins: at most this many per client per window, then 429 until the window passes.
    max_failures: int = 10
    failure_window: int = 60
    # The index's own state (journal, private names, yank marks); None: `<packages>/../state`.
    state_dir: Path | None = None

    # The static simple pages and metadata files (served by nginx, or by the app); None: `<packages>/../static`.
    pages_dir: Path | None = None

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
        if not self.reserved and not self.allow:
            raise ValueError("YTC_INDEX_RESERVED and YTC_INDEX_ALLOW are both empty: no name could be uploaded")
        for name in ("threads", "channel_timeout", "connection_limit", "max_upload_mb", "max_failures"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 (got {getattr(self, name)})")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> IndexSettings:
        env = dict(os.environ if env is None else env)
        htpasswd = env.get("YTC_INDEX_HTPASSWD", "")
        log_file = env.get("YTC_INDEX_LOG_FILE", "")
        state_dir = env.get("YTC_INDEX_STATE_DIR", "")
        pages_dir = env.get("YTC_INDEX_PAGES_DIR", "")

        def number(key: str, default: int) -> int:
            raw = env.get(key) or str(default)
            try:
                return int(raw)
            except ValueError:
                raise ValueError(f"{key}={raw!r} is not a whole number") from None

        return cls(
            packages=Path(env.get("YTC_INDEX_PACKAGES", "/data/packages")),
            htpasswd=Path(htpasswd) if htpasswd else None,
            host=env.get("YTC_INDEX_HOST", "127.0.0.1"),
            port=number("YTC_INDEX_PORT", 8080),
            # An empty value (compose passes one when unset) means the default.
            fallback_url=env.get("YTC_INDEX_FALLBACK_URL") or DEFAULTS.FALLBACK_URL,
            reserved=_csv(env.get("YTC_INDEX_RESERVED", "ytcaption-*")),
            allow=_csv(env.get("YTC_INDEX_ALLOW", "")),
            # Unset means the default; set but empty or blank is refused by validate().
            authenticate=_csv(env.get("YTC_INDEX_AUTHENTICATE", "update")),
            threads=number("YTC_INDEX_THREADS", 16),
            log_file=Path(log_file) if log_file else None,
            channel_timeout=number("YTC_INDEX_CHANNEL_TIMEOUT", 30),
            connection_limit=number("YTC_INDEX_CONNECTION_LIMIT", 1000),
            max_upload_mb=number("YTC_INDEX_MAX_UPLOAD_MB", 200),
            release_window=number("YTC_INDEX_RELEASE_WINDOW", 900),
            max_failures=number("YTC_INDEX_MAX_FAILURES", 10),
            failure_window=number("YTC_INDEX_FAILURE_WINDOW", 60),
            state_dir=Path(state_dir) if state_dir else None,
            pages_dir=Path(pages_dir) if pages_dir else None,
        )
