"""An index over HTTPS with a private CA, and credentials the way users write
them (in PIP_INDEX_URL): a real release through a TLS listener whose CA the test
makes, while `ps` is sampled to prove no password is ever in a command line."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.support.index import LiveIndex, start_index
from tests.support.tls_proxy import TlsProxy, tls_proxy
from tests.support.versions import V
from tests.support.workspace import Workspace, make_workspace
from ytc_release.index.accounts import set_user

READER, READER_PASSWORD = "deploy-reader", "rd-Pw:with@odd/chars%"


class PsSampler:
    """Every command line of every process, sampled with `ps` until stopped."""

    def __init__(self) -> None:
        self.lines: set[str] = set()
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        deadline = time.monotonic() + 900  # bounded whatever happens
        while not self._stop.is_set() and time.monotonic() < deadline:
            out = subprocess.run(["ps", "-e", "-ww", "-o", "args="], capture_output=True, text=True).stdout
            self.lines.update(out.splitlines())
            self.samples += 1
            time.sleep(0.05)

    def __enter__(self) -> PsSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@pytest.fixture
def https_index(tmp_path: Path) -> Iterator[tuple[LiveIndex, TlsProxy]]:
    live = start_index(tmp_path / "index")
    set_user(live.index.htpasswd, READER, READER_PASSWORD)
    port = urlsplit(live.url).port
    assert port is not None
    try:
        with tls_proxy(port, tmp_path / "tls") as proxy:
            yield live, proxy
    finally:
        live.stop()


def _pip_index_url(proxy: TlsProxy) -> str:
    netloc = urlsplit(proxy.url).netloc
    return f"https://{quote(READER, safe='')}:{quote(READER_PASSWORD, safe='')}@{netloc}/simple/"


def _write_pypirc(ws: Workspace, proxy: TlsProxy, live: LiveIndex, ca: Path | None) -> None:
    user, password = live.credentials
    home = ws.root.parent / "home"
    lines = ["[distutils]", "index-servers = private", "", "[private]", f"repository = {proxy.url}"]
    lines += [f"username = {user}", f"password = {password}"] + ([f"ca_cert = {ca}"] if ca else [])
    (home / ".pypirc").write_text("\n".join(lines) + "\n")
    (home / ".pypirc").chmod(0o600)


def _no_ca_env(ws: Workspace, **extra: str) -> dict[str, str]:
    """The workspace's environment with no CA variable of its own (the machine's PIP_CERT included)."""
    return {
        k: v
        for k, v in ws.env(**extra).items()
        if k not in {"PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "TWINE_CERT", "CURL_CA_BUNDLE"}
    }


def test_release_over_https_with_a_private_ca_and_no_password_in_any_command_line(
    https_index: tuple[LiveIndex, TlsProxy], repo_root: Path, tmp_path: Path
) -> None:
    live, proxy = https_index
    ws = make_workspace(repo_root, tmp_path / "ws")
    # ca_cert in .pypirc (twine's convention); the bundle also trusts the public index,
    # which the private one redirects to for the library's own dependencies.
    _write_pypirc(ws, proxy, live, proxy.ca_bundle)
    env = _no_ca_env(ws, TWINE_REPOSITORY="private", PIP_INDEX_URL=_pip_index_url(proxy))
    with PsSampler() as ps:
        released = ws.ytc("release", "--skip-tests", env=env)
    assert released.returncode == 0, released.stdout + released.stderr
    assert "verify: ok" in released.stdout and f"ytcaption-common {V} — released" in released.stdout

    # The sampler saw the tools run (twine's upload, pip's install in the verify step)...
    assert ps.samples > 20
    assert any("twine upload" in line for line in ps.lines), "ps never caught twine: the test proves nothing"
    # verify's install of the library: a hash-pinned requirements file (the version is in it, not in argv)
    assert any("pip install" in line and "--require-hashes" in line for line in ps.lines)
    # ... and no password in any command line, nor in what the tooling printed.
    for secret in (live.credentials[1], READER_PASSWORD, quote(READER_PASSWORD, safe="")):
        assert not [line for line in ps.lines if secret in line]
        assert secret not in released.stdout + released.stderr

    # status and check read the index through PIP_INDEX_URL, credentials and all.
    status = ws.ytc("status", env=env)
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"on the index:   {V}" in status.stdout
    check = ws.ytc("check", "--no-tools", env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert READER_PASSWORD not in status.stdout + check.stdout


@pytest.mark.parametrize("convention", ["--cert", "TWINE_CERT", "REQUESTS_CA_BUNDLE", "PIP_CERT", "SSL_CERT_FILE"])
def test_every_standard_way_to_name_the_ca_reaches_every_step(
    https_index: tuple[LiveIndex, TlsProxy], repo_root: Path, tmp_path: Path, convention: str
) -> None:
    live, proxy = https_index
    ws = make_workspace(repo_root, tmp_path / "ws")
    user, password = live.credentials
    base = _no_ca_env(ws, TWINE_REPOSITORY_URL=proxy.url, TWINE_USERNAME=user, TWINE_PASSWORD=password)

    untrusted = ws.ytc("release", "--skip-tests", env=base)
    assert untrusted.returncode == 1
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr and "is not trusted" in untrusted.stderr
    assert "ca_cert = PATH" in untrusted.stderr  # what to do next

    bundle = str(proxy.ca_bundle)
    args = ["--cert", bundle] if convention == "--cert" else []
    env = base if convention == "--cert" else {**base, convention: bundle}
    # preflight (our client), publish (twine), verify (our client, then pip) all over HTTPS.
    released = ws.ytc(*args, "release", "--skip-tests", env=env)
    assert released.returncode == 0, released.stdout + released.stderr
    assert f"uploaded: ytcaption_common-{V}-py3-none-any.whl" in released.stdout
    assert "verify: ok" in released.stdout
