"""Which index a release talks to, configured the way twine and pip are:
TWINE_REPOSITORY_URL / TWINE_USERNAME / TWINE_PASSWORD, or a repository of
~/.pypirc (TWINE_REPOSITORY or --repository), else the embedded default.
Installs and listings use PIP_INDEX_URL when set, credentials in it included.
A private CA is found where twine, requests and pip look for one."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from ytc_release import pypirc
from ytc_release.errors import ConfigurationError
from ytc_release.index.embedded import EmbeddedIndex
from ytc_release.toolkit.masking import mask_url, register_secret
from ytc_release.toolkit.report import Reporter
from ytc_release.toolkit.web import split_credentials

# Where a CA bundle is named, in the order it is honoured: twine's --cert (TWINE_CERT,
# or `ytc-release --cert`) and `ca_cert` in .pypirc come first (IndexTarget.ca_cert), then
# the variables requests, pip and OpenSSL read.
CA_VARIABLES = ("TWINE_CERT", "REQUESTS_CA_BUNDLE", "PIP_CERT", "SSL_CERT_FILE")


@dataclass(frozen=True)
class IndexTarget:
    upload_url: str
    username: str
    password: str
    source: str
    ca_cert: str | None = None
    # False for a target built with explicit credentials (e.g. a reader account): it
    # never takes the index or credentials of PIP_INDEX_URL from the environment.
    from_pip_env: bool = True
    # PIP_INDEX_URL as it was when the target was made (read once, not at each use).
    pip_index_url: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if self.from_pip_env and not self.pip_index_url:
            object.__setattr__(self, "pip_index_url", os.environ.get("PIP_INDEX_URL", ""))
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
        if self.ca_cert:
            return self.ca_cert
        for name in CA_VARIABLES:
            value = os.environ.get(name)
            if value:
                if not Path(value).expanduser().is_file():
                    shown = "--cert / TWINE_CERT" if name == "TWINE_CERT" else name
                    raise ConfigurationError(
                        f"{shown} names {value}, which is not a file", "point it at your CA's PEM bundle, or unset it"
                    )
                return value
        return None

    def tool_env(self, env: dict[str, str]) -> dict[str, str]:
        """``env`` plus the CA bundle in the variables twine and pip read."""
        bundle = self.ca_bundle
        if bundle:
            env = {**env, "TWINE_CERT": bundle, "PIP_CERT": bundle}
        return env

    def describe(self) -> str:
        return f"{mask_url(self.upload_url)} ({self.source})"


def _from_pypirc(name: str) -> IndexTarget:
    path = pypirc.default_path()
    try:
        section = pypirc.read_repository(path, name)
    except FileNotFoundError:
        raise ConfigurationError(f"repository {name!r} was asked for but {path} does not exist") from None
    if section is None:
        raise ConfigurationError(f"{path} has no [{name}] section", f"add [{name}] with repository, username, password")
    missing = [k for k in ("repository", "username") if not section.get(k)]
    if missing:
        raise ConfigurationError(f"[{name}] in {path} lacks {', '.join(missing)}")
    password = os.environ.get("TWINE_PASSWORD") or section.get("password", "")
    if not password:
        raise ConfigurationError(f"no password for [{name}] in {path}", "set TWINE_PASSWORD or add password=")
    ca_cert = section.get("ca_cert") or None
    if ca_cert and not Path(ca_cert).expanduser().is_file():
        raise ConfigurationError(
            f"ca_cert = {ca_cert} in [{name}] of {path} is not a file", "point ca_cert at your CA's PEM bundle"
        )
    return IndexTarget(
        section["repository"],
        os.environ.get("TWINE_USERNAME") or section["username"],
        password,
        f"{path} [{name}]",
        str(Path(ca_cert).expanduser()) if ca_cert else None,
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


def resolve_index(
    index_home: Path, repository: str | None = None, *, start: bool = False, report: Reporter | None = None
) -> IndexTarget | None:
    """The one answer to "which index" for every command: the configured one
    (TWINE_*, ~/.pypirc), else the embedded one. That is started only when
    ``start``; otherwise it counts only when it already runs (None if not)."""
    configured = resolve_configured(repository)
    if configured is not None:
        return configured
    index = EmbeddedIndex(index_home)
    if index.url() is None:
        if not start:
            if report is not None:
                report.detail("no index configured and the embedded index is not running (a release would start it)")
            return None
        url, _ = index.up()
        if report is not None:
            report.detail(f"no index configured: started the embedded index at {url}")
    return embedded_target(index)
