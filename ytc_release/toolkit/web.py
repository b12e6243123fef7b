"""The one HTTP client (on requests) that never follows redirects: for an index
a redirect is an answer (`this name is not here`), not something to chase.

URLs are taken the way pip takes them: `https://user:password@host/simple/`
sends those credentials, and they win over ``auth``. HTTPS is verified against
the CA bundle the caller names (see ytc_release.target.IndexTarget.ca_bundle),
else the system's default store (which honours SSL_CERT_FILE / SSL_CERT_DIR),
as urllib did before; not certifi's bundle, which knows no private CA."""

from __future__ import annotations

import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import requests

from ytc_release.errors import BadResponse, Unreachable, UntrustedCertificate


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: Mapping[str, str]  # case-insensitive

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """(the URL without `user:password@`, those credentials or None)."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    bare = urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
    return bare, (unquote(parts.username), unquote(parts.password or ""))


def _verify(cafile: str | None) -> str | bool:
    if cafile:
        return cafile
    # Read now, not once: SSL_CERT_FILE may change between calls (tests, --cert).
    paths = ssl.get_default_verify_paths()
    return paths.cafile or paths.capath or True


def _untrusted(err: BaseException) -> bool:
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        nested = [a for a in getattr(seen, "args", ()) if isinstance(a, BaseException)]
        seen = nested[0] if nested else (seen.__cause__ or seen.__context__)
    return "CERTIFICATE_VERIFY_FAILED" in str(err)


def _reason(err: BaseException) -> str:
    """The cause in a line, as urllib gave it ("[Errno 111] Connection refused"), not urllib3's retry story."""
    text = str(err)
    found = re.search(r"\[Errno -?\d+\] [^'\")]+", text)
    if found:
        return found.group(0)
    return "timed out" if isinstance(err, requests.exceptions.Timeout) else text


def request(
    method: str,
    url: str,
    *,
    data: bytes | None = None,
    files: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = 15,
    cafile: str | None = None,
) -> Response:
    """``files`` is requests' multipart form (``{"field": (filename, bytes)}``; a
    plain field is ``(None, "value")``). Raises OSError (UntrustedCertificate,
    BadResponse, requests' connection errors) when the server cannot be reached,
    trusted or understood, or the URL is not one."""
    try:
        url, in_url = split_credentials(url)
    except ValueError as err:  # "Invalid IPv6 URL", a bad port ...
        raise BadResponse(f"not a usable URL: {err}") from err
    try:
        resp = requests.request(
            method,
            url,
            data=data,
            files=files,
            headers=dict(headers or {}),
            auth=in_url or auth,
            timeout=timeout,
            verify=_verify(cafile),
            allow_redirects=False,
        )
    except requests.exceptions.SSLError as err:
        if _untrusted(err):
            raise UntrustedCertificate(str(err)) from err
        raise
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as err:
        raise Unreachable(_reason(err)) from err
    except (
        requests.exceptions.InvalidURL,
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
    ) as err:
        raise BadResponse(f"not a usable URL: {err}") from err
    except ValueError as err:
        raise BadResponse(f"not a usable URL: {err}") from err
    return Response(resp.status_code, resp.content, resp.headers)


def get(url: str, *, auth: tuple[str, str] | None = None, timeout: float = 15, cafile: str | None = None) -> Response:
    return request("GET", url, auth=auth, timeout=timeout, cafile=cafile)


def healthy(url: str, *, timeout: float = 2, cafile: str | None = None) -> bool:
    """``url``/health answers 200."""
    try:
        return get(url.rstrip("/") + "/health", timeout=timeout, cafile=cafile).status == 200
    except OSError:
        return False
