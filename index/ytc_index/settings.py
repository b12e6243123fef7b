"""The index's settings, read from YTC_INDEX_* environment variables so that the
embedded server and the compose service are configured the same way."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pypiserver.config import DEFAULTS

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
    # fnmatch patterns of names that are ours even before their first upload: never redirected.
    reserved: tuple[str, ...] = ("ytcaption-*",)
    authenticate: tuple[str, ...] = ("update",)
    workers: int = 2
    threads: int = 8
    log_file: Path | None = None

    def validate(self) -> None:
        unknown = [a for a in self.authenticate if a not in AUTH_ACTIONS]
        if unknown:
            raise ValueError(f"YTC_INDEX_AUTHENTICATE: unknown action(s) {unknown}; use {', '.join(AUTH_ACTIONS)}")
        if self.authenticate and self.htpasswd is None:
            raise ValueError("authenticated actions need an htpasswd file (YTC_INDEX_HTPASSWD)")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> IndexSettings:
        env = dict(os.environ if env is None else env)
        htpasswd = env.get("YTC_INDEX_HTPASSWD", "")
        log_file = env.get("YTC_INDEX_LOG_FILE", "")
        return cls(
            packages=Path(env.get("YTC_INDEX_PACKAGES", "/data/packages")),
            htpasswd=Path(htpasswd) if htpasswd else None,
            host=env.get("YTC_INDEX_HOST", "127.0.0.1"),
            port=int(env.get("YTC_INDEX_PORT", "8080")),
            # An empty value (compose passes one when unset) means the default.
            fallback_url=env.get("YTC_INDEX_FALLBACK_URL") or DEFAULTS.FALLBACK_URL,
            reserved=_csv(env.get("YTC_INDEX_RESERVED", "ytcaption-*")),
            authenticate=_csv(env.get("YTC_INDEX_AUTHENTICATE") or "update"),
            workers=int(env.get("YTC_INDEX_WORKERS") or "2"),
            threads=int(env.get("YTC_INDEX_THREADS") or "8"),
            log_file=Path(log_file) if log_file else None,
        )
