"""Loopback helpers for tests: free ports, waiting for a server, a plain GET."""

from __future__ import annotations

import socket
from collections.abc import Mapping

from ytc_release.toolkit import web
from ytc_release.toolkit.ports import free_port
from ytc_release.toolkit.waiting import wait_until

__all__ = ["free_port", "http_get", "wait_for_port"]


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    def listening() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True

    if not wait_until(listening, timeout=timeout, interval=0.05):
        raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout}s")


def http_get(url: str, timeout: float = 10.0) -> tuple[int, bytes, Mapping[str, str]]:
    """GET without following redirects (the toolkit's client); returns (status, body, headers)."""
    resp = web.get(url, timeout=timeout)
    return resp.status, resp.body, resp.headers  # case-insensitive
