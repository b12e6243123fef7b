"""Loopback helpers for tests: free ports and waiting for a server."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request

from ytc_release.toolkit.ports import free_port

__all__ = ["free_port", "http_get", "wait_for_port"]


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout}s")


def http_get(url: str, timeout: float = 10.0) -> tuple[int, bytes, dict[str, str]]:
    """GET without following redirects; returns (status, body, headers)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as resp:
            return resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        return err.code, err.read(), dict(err.headers)
