"""What a release asks of the index: is it up, are we allowed, which files
does it hold (with their sha256), upload a file, fetch a file."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from ytc_release.errors import CredentialsError, IndexUnreachableError, UploadError
from ytc_release.target import IndexTarget
from ytc_release.toolkit import web
from ytc_release.toolkit.runner import run_checked


@dataclass(frozen=True)
class IndexedFile:
    filename: str
    url: str
    sha256: str | None


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def parse_listing(html: str, page_url: str) -> list[IndexedFile]:
    parser = _Links()
    parser.feed(html)
    files = []
    for href in parser.hrefs:
        url, _, fragment = href.partition("#")
        sha = fragment.split("=", 1)[1] if fragment.startswith("sha256=") else None
        # hrefs are percent-encoded (`+` is %2B): the file name is the decoded path's last part
        files.append(IndexedFile(os.path.basename(unquote(urlsplit(url).path)), urljoin(page_url, url), sha))
    return files


def _unreachable(target: IndexTarget, err: BaseException) -> IndexUnreachableError:
    if isinstance(err, web.UntrustedCertificate):
        bundle = target.ca_bundle or "the system's CA store"
        return IndexUnreachableError(
            f"the certificate of the index at {target.describe()} is not trusted by {bundle}: {err}",
            "name the CA that signed it the way twine and pip take it: `ca_cert = PATH` in the .pypirc "
            "repository, `ytc-release --cert PATH`, or REQUESTS_CA_BUNDLE / PIP_CERT / SSL_CERT_FILE",
        )
    return IndexUnreachableError(f"the index at {target.describe()} cannot be reached: {err}")


def project_files(target: IndexTarget, project: str) -> list[IndexedFile]:
    """Files the index lists for ``project``; empty when it has none (404 or a
    redirect upstream, which is how stock pypiserver says `not here`)."""
    page = urljoin(target.simple_url, f"{project}/")
    try:
        resp = web.get(page, auth=target.simple_auth, cafile=target.ca_bundle)
    except OSError as err:
        raise _unreachable(target, err) from err
    if resp.status in (401, 403):
        raise CredentialsError(
            f"the index refused to list {project} with the configured credentials (HTTP {resp.status})"
        )
    if resp.status == 404 or 300 <= resp.status < 400:
        return []
    if resp.status != 200:
        raise IndexUnreachableError(f"the index answered HTTP {resp.status} for {page}")
    return parse_listing(resp.text, page)


def check_reachable_and_credentials(target: IndexTarget) -> None:
    """GET /health, then an authenticated no-op upload action (`:action=verify`,
    which pypiserver authenticates and ignores): nothing is written."""
    base = target.upload_url.rstrip("/") + "/"
    try:
        health = web.get(base + "health", timeout=5, cafile=target.ca_bundle)
    except OSError as err:
        raise _unreachable(target, err) from err
    if health.status != 200:
        raise IndexUnreachableError(f"{base}health answered HTTP {health.status}, expected 200")
    try:
        resp = web.request(
            "POST", base, files={":action": (None, "verify")}, auth=target.auth, timeout=15, cafile=target.ca_bundle
        )
    except OSError as err:
        raise _unreachable(target, err) from err
    if resp.status in (401, 403):
        raise CredentialsError(f"the index rejected the credentials of user {target.username!r} (HTTP {resp.status})")
    if resp.status >= 400:
        raise IndexUnreachableError(f"the index answered HTTP {resp.status} to an authenticated request at {base}")


def twine_upload_command(upload_url: str, *files: Path, comment: str | None = None) -> list[str]:
    """twine's upload, never prompting; credentials come from TWINE_* in the environment.
    ``comment`` goes in the upload form's standard `comment` field (our provenance record)."""
    return [
        sys.executable,
        "-m",
        "twine",
        "upload",
        "--non-interactive",
        "--disable-progress-bar",
        "--repository-url",
        upload_url,
        *(["--comment", comment] if comment else []),
        *map(str, files),
    ]


def upload(target: IndexTarget, path: Path, comment: str | None = None) -> None:
    # Credentials and the CA bundle travel in the environment, never in argv (`ps` shows argv).
    env = target.tool_env(dict(os.environ, TWINE_PASSWORD=target.password, TWINE_USERNAME=target.username))
    env.pop("TWINE_REPOSITORY", None)
    run_checked(
        twine_upload_command(target.upload_url, path, comment=comment),
        env=env,
        timeout=600,
        error=UploadError,
        what=f"uploading {path.name} failed",
    )


def fetch(target: IndexTarget, url: str) -> bytes:
    try:
        resp = web.get(url, auth=target.simple_auth, timeout=60, cafile=target.ca_bundle)
    except OSError as err:
        raise _unreachable(target, err) from err
    if resp.status != 200:
        raise IndexUnreachableError(f"downloading {url} answered HTTP {resp.status}")
    return resp.body


def version_of(filename: str) -> str | None:
    """The version in a wheel's or sdist's file name; None for anything else."""
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def files_of_version(target: IndexTarget, name: str, version: str) -> list[IndexedFile]:
    return [f for f in project_files(target, name) if version_of(f.filename) == version]


def published_versions(target: IndexTarget, name: str) -> list[str]:
    """The versions of the distribution ``name`` the index holds, oldest first."""
    found = {version_of(f.filename) for f in project_files(target, name)}
    return sorted((v for v in found if v), key=Version)
