"""Which index a release talks to, configured the way twine and pip are:
TWINE_REPOSITORY_URL / TWINE_USERNAME / TWINE_PASSWORD, or a repository of
~/.pypirc (TWINE_REPOSITORY or --repository), else the embedded default.
Installs and listings use PIP_INDEX_URL when set, credentials in it included.
A private CA is found where twine, requests and pip look for one.

Nothing here reads the environment: ytc_release.settings resolves it once into
an IndexConfig, and resolve_index turns that into an IndexTarget."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from ytc_release import pypirc
from ytc_release.errors import ConfigurationError
from ytc_release.index.embedded import DEFAULT_PORT, EmbeddedIndex
from ytc_release.toolkit.masking import mask_url, register_secret
from ytc_release.toolkit.report import Reporter
from ytc_release.toolkit.web import split_credentials


@dataclass(frozen=True)
class NamedPath:
    """A path and where it was named (for the error when it is not a file)."""

    path: str
    named_by: str


@dataclass(frozen=True)
class IndexConfig:
    """What decides "which index" and how to reach it, resolved once by Settings."""

    repository: str | None = None  # --repository / TWINE_REPOSITORY: a section of config_file
    repository_url: str | None = None  # TWINE_REPOSITORY_URL
    username: str | None = None  # TWINE_USERNAME
    password: str | None = field(default=None, repr=False)  # TWINE_PASSWORD
    # The CA bundle, in twine's order: --cert / TWINE_CERT, then ca_cert in .pypirc,
    # then the variables requests, pip and OpenSSL read (ca_fallback).
    cert: NamedPath | None = None
    ca_fallback: NamedPath | None = None
    config_file: Path = field(default_factory=lambda: Path.home() / ".pypirc")  # TWINE_CONFIG_FILE
    pip_index_url: str = field(default="", repr=False)  # PIP_INDEX_URL
    index_port: int = DEFAULT_PORT  # YTC_INDEX_PORT: where the embedded index is started


def checked_bundle(named: NamedPath | None) -> str | None:
    """The bundle's path, or a clear error when it names no file."""
    if named is None:
        return None
    path = Path(named.path).expanduser()
    if not path.is_file():
        raise ConfigurationError(
            f"{named.named_by} names {named.path}, which is not a file", "point it at your CA's PEM bundle, or unset it"
        )
    return str(path)


@dataclass(frozen=True)
class IndexTarget:
    upload_url: str
    username: str
    password: str
    source: str
    ca_cert: str | None = None  # the CA bundle, checked when the target was resolved; None: the system's
    # PIP_INDEX_URL of the run's settings; empty for a target with its own credentials (a reader account).
    pip_index_url: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        # Credentials written into the upload URL are redundant (username and password are
        # given) and would reach twine's --repository-url, i.e. argv: keep them out of it.
        bare, in_url = split_credentials(self.upload_url)
        if in_url is not None:
            register_secret(in_url[1])
            object.__setattr__(self, "upload_url", bare)
        register_secret(self.password)
        register_secret(self.simple_auth[1])

    @property
    def auth(self) -> tuple[str, str]:
        return (self.username, self.password)

    @property
    def simple_url(self) -> str:
        """PIP_INDEX_URL (without its credentials) when set, else the simple index beside the upload URL."""
        if self.pip_index_url:
            return split_credentials(self.pip_index_url)[0].rstrip("/") + "/"
        base = self.upload_url.rstrip("/")
        if base.endswith("/legacy"):
            base = base[: -len("/legacy")]
        return base + "/simple/"

    @property
    def simple_auth(self) -> tuple[str, str]:
        """The credentials in PIP_INDEX_URL (the form VMs use), else the publisher's."""
        return split_credentials(self.pip_index_url)[1] or self.auth

    def simple_url_with_credentials(self) -> str:
        """For pip: hand it over in the environment or a 0600 file, never in argv."""
        username, password = self.simple_auth
        parts = urlsplit(self.simple_url)
        userinfo = f"{quote(username, safe='')}:{quote(password, safe='')}@"
        return urlunsplit(parts._replace(netloc=userinfo + parts.netloc))

    @property
    def ca_bundle(self) -> str | None:
        """The CA bundle that every step (our client, twine, pip) verifies HTTPS with; None: the system's."""
        return self.ca_cert

    def tool_env(self, env: dict[str, str]) -> dict[str, str]:
        """``env`` plus the CA bundle in the variables twine and pip read."""
        bundle = self.ca_bundle
        if bundle:
            env = {**env, "TWINE_CERT": bundle, "PIP_CERT": bundle}
        return env

    def describe(self) -> str:
        return f"{mask_url(self.upload_url)} ({self.source})"


def _from_pypirc(config: IndexConfig, name: str) -> IndexTarget:
    path = config.config_file
    try:
        section = pypirc.read_repository(path, name)
    except FileNotFoundError:
        raise ConfigurationError(f"repository {name!r} was asked for but {path} does not exist") from None
    if section is None:
        raise ConfigurationError(f"{path} has no [{name}] section", f"add [{name}] with repository, username, password")
    missing = [k for k in ("repository", "username") if not section.get(k)]
    if missing:
        raise ConfigurationError(f"[{name}] in {path} lacks {', '.join(missing)}")
    password = config.password or section.get("password", "")
    if not password:
        raise ConfigurationError(f"no password for [{name}] in {path}", "set TWINE_PASSWORD or add password=")
    ca_cert = section.get("ca_cert")
    in_file = NamedPath(ca_cert, f"ca_cert in [{name}] of {path}") if ca_cert else None
    return IndexTarget(
        section["repository"],
        config.username or section["username"],
        password,
        f"{path} [{name}]",
        checked_bundle(config.cert or in_file or config.ca_fallback),
        config.pip_index_url,
    )


def resolve_configured(config: IndexConfig) -> IndexTarget | None:
    """The index the settings name, or None when nothing is configured."""
    url = config.repository_url
    if url:
        username, password = config.username, config.password
        if not username or not password:
            raise ConfigurationError(
                "TWINE_REPOSITORY_URL is set but TWINE_USERNAME or TWINE_PASSWORD is not",
                "set both (the release never prompts)",
            )
        if not urlsplit(url).scheme.startswith("http"):
            raise ConfigurationError(f"TWINE_REPOSITORY_URL={mask_url(url)} is not an http(s) URL")
        bundle = checked_bundle(config.cert or config.ca_fallback)
        return IndexTarget(url, username, password, "TWINE_REPOSITORY_URL", bundle, config.pip_index_url)
    if config.repository:
        return _from_pypirc(config, config.repository)
    return None


def embedded_index(index_home: Path, config: IndexConfig, owned_names: str = "") -> EmbeddedIndex:
    """The embedded index of this checkout, on the settings' port."""
    return EmbeddedIndex(index_home, config.index_port, owned_names)


def embedded_target(index: EmbeddedIndex, config: IndexConfig | None = None) -> IndexTarget:
    config = config or IndexConfig()
    url, username, password = index.credentials()
    bundle = checked_bundle(config.cert or config.ca_fallback)
    return IndexTarget(url, username, password, "embedded default index", bundle, config.pip_index_url)


def resolve_index(
    index_home: Path,
    config: IndexConfig,
    *,
    start: bool = False,
    report: Reporter | None = None,
    owned_names: str = "",
) -> IndexTarget | None:
    """The one answer to "which index" for every command: the configured one
    (TWINE_*, ~/.pypirc), else the embedded one. That is started only when
    ``start``; otherwise it counts only when it already runs (None if not)."""
    configured = resolve_configured(config)
    if configured is not None:
        return configured
    index = embedded_index(index_home, config, owned_names)
    if index.url() is None:
        if not start:
            if report is not None:
                report.detail("no index configured and the embedded index is not running (a release would start it)")
            return None
        url, _ = index.up()
        if report is not None:
            report.detail(f"no index configured: started the embedded index at {url}")
    return embedded_target(index, config)
