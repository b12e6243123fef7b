"""Which index a release talks to, configured the way twine and pip are:
TWINE_REPOSITORY_URL / TWINE_USERNAME / TWINE_PASSWORD, or a repository of
~/.pypirc (TWINE_REPOSITORY or --repository), else the embedded default."""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from release.embedded import EmbeddedIndex
from release.errors import ConfigurationError
from release.secrets import mask_url, register_secret


@dataclass(frozen=True)
class IndexTarget:
    upload_url: str
    username: str
    password: str
    source: str

    def __post_init__(self) -> None:
        register_secret(self.password)

    @property
    def auth(self) -> tuple[str, str]:
        return (self.username, self.password)

    @property
    def simple_url(self) -> str:
        """PIP_INDEX_URL when set, else the simple index beside the upload URL."""
        if os.environ.get("PIP_INDEX_URL"):
            return os.environ["PIP_INDEX_URL"].rstrip("/") + "/"
        base = self.upload_url.rstrip("/")
        if base.endswith("/legacy"):
            base = base[: -len("/legacy")]
        return base + "/simple/"

    def simple_url_with_credentials(self) -> str:
        parts = urlsplit(self.simple_url)
        netloc = parts.netloc.rsplit("@", 1)[-1]
        userinfo = f"{quote(self.username, safe='')}:{quote(self.password, safe='')}@"
        return urlunsplit(parts._replace(netloc=userinfo + netloc))

    def describe(self) -> str:
        return f"{mask_url(self.upload_url)} ({self.source})"


def _from_pypirc(name: str) -> IndexTarget:
    path = Path(os.environ.get("TWINE_CONFIG_FILE", Path.home() / ".pypirc")).expanduser()
    config = configparser.ConfigParser(interpolation=None)
    if not config.read(path):
        raise ConfigurationError(f"repository {name!r} was asked for but {path} does not exist")
    if name not in config:
        raise ConfigurationError(f"{path} has no [{name}] section", f"add [{name}] with repository, username, password")
    section = config[name]
    missing = [k for k in ("repository", "username") if not section.get(k)]
    if missing:
        raise ConfigurationError(f"[{name}] in {path} lacks {', '.join(missing)}")
    password = os.environ.get("TWINE_PASSWORD") or section.get("password", "")
    if not password:
        raise ConfigurationError(f"no password for [{name}] in {path}", "set TWINE_PASSWORD or add password=")
    return IndexTarget(
        section["repository"], os.environ.get("TWINE_USERNAME") or section["username"], password, f"{path} [{name}]"
    )


def resolve_configured(repository: str | None = None) -> IndexTarget | None:
    """The index the environment names, or None when nothing is configured."""
    url = os.environ.get("TWINE_REPOSITORY_URL")
    if url:
        username = os.environ.get("TWINE_USERNAME")
        password = os.environ.get("TWINE_PASSWORD")
        if not username or not password:
            raise ConfigurationError(
                "TWINE_REPOSITORY_URL is set but TWINE_USERNAME or TWINE_PASSWORD is not",
                "set both (the release never prompts)",
            )
        if not urlsplit(url).scheme.startswith("http"):
            raise ConfigurationError(f"TWINE_REPOSITORY_URL={mask_url(url)} is not an http(s) URL")
        return IndexTarget(url, username, password, "TWINE_REPOSITORY_URL")
    name = repository or os.environ.get("TWINE_REPOSITORY")
    if name:
        return _from_pypirc(name)
    return None


def embedded_target(index: EmbeddedIndex) -> IndexTarget:
    url, username, password = index.credentials()
    return IndexTarget(url, username, password, "embedded default index")
