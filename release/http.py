"""A small HTTP client (urllib) that never follows redirects: for an index a
redirect is an answer (`this name is not here`), not something to chase."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message


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


_opener = urllib.request.build_opener(_NoRedirect)


def _auth_header(auth: tuple[str, str] | None) -> dict[str, str]:
    if not auth:
        return {}
    token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def request(
    method: str,
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = 15,
) -> Response:
    """Raises OSError (URLError) when the server cannot be reached at all."""
    req = urllib.request.Request(url, data=data, method=method, headers={**(headers or {}), **_auth_header(auth)})
    try:
        with _opener.open(req, timeout=timeout) as resp:
            return Response(resp.status, resp.read(), resp.headers)
    except urllib.error.HTTPError as err:
        return Response(err.code, err.read(), err.headers)


def get(url: str, *, auth: tuple[str, str] | None = None, timeout: float = 15) -> Response:
    return request("GET", url, auth=auth, timeout=timeout)
