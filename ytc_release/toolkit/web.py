"""A small HTTP client (urllib) that never follows redirects: for an index a
redirect is an answer (`this name is not here`), not something to chase.

URLs are taken the way pip takes them: `https://user:password@host/simple/`
sends those credentials (urllib alone would try to resolve `user:password@host`).
HTTPS is verified against the CA bundle the caller names (see
ytc_release.target.IndexTarget.ca_bundle), else the system's default store, which
already honours SSL_CERT_FILE / SSL_CERT_DIR."""

from __future__ import annotations

import base64
import http.client
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from urllib.parse import unquote, urlsplit, urlunsplit


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: Message

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _opener(cafile: str | None) -> urllib.request.OpenerDirector:
    # A new context per call: SSL_CERT_FILE and the bundle's contents are read now, not once.
    context = ssl.create_default_context(cafile=cafile)
    return urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=context))


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """(the URL without `user:password@`, those credentials or None)."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    bare = urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return bare, (unquote(parts.username), unquote(parts.password or ""))


def _auth_header(auth: tuple[str, str] | None) -> dict[str, str]:
    if not auth:
        return {}
    token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


class BadResponse(OSError):
    """The other end did not speak HTTP we can use (or the URL was not one)."""


def request(
    method: str,
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = 15,
    cafile: str | None = None,
) -> Response:
    """Credentials in the URL win over ``auth`` (as in pip). Raises OSError
    (URLError, ssl errors, BadResponse) when the server cannot be reached,
    trusted or understood, or the URL is not one."""
    try:
        url, in_url = split_credentials(url)
        req = urllib.request.Request(
            url, data=data, method=method, headers={**(headers or {}), **_auth_header(in_url or auth)}
        )
    except ValueError as err:  # "Invalid IPv6 URL", an unknown scheme ...
        raise BadResponse(f"not a usable URL: {err}") from err
    try:
        with _opener(cafile).open(req, timeout=timeout) as resp:
            return Response(resp.status, resp.read(), resp.headers)
    except urllib.error.HTTPError as err:
        return Response(err.code, err.read(), err.headers)
    except (http.client.HTTPException, ValueError) as err:
        # Not HTTP at all (a Redis port, a truncated body, a malformed URL): callers
        # treat it like an unreachable server, never as a traceback.
        raise BadResponse(f"no valid HTTP answer: {err!r}") from err


def get(url: str, *, auth: tuple[str, str] | None = None, timeout: float = 15, cafile: str | None = None) -> Response:
    return request("GET", url, auth=auth, timeout=timeout, cafile=cafile)
