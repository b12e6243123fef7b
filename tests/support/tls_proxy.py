"""A TLS-terminating proxy on a loopback port, in front of a plain-HTTP server:
the index as users run it behind nginx, with a certificate from a CA the test
makes (trustme), so HTTPS with a private CA is tested against a real listener."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import trustme

from ytc_release.toolkit.ports import LOOPBACK, free_port


@dataclass(frozen=True)
class TlsProxy:
    url: str
    ca_pem: Path  # the test CA alone
    ca_bundle: Path  # the test CA plus the system's (pip also fetches public dependencies)


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    with suppress(OSError):
        while data := src.recv(65536):
            dst.sendall(data)
    with suppress(OSError):
        dst.shutdown(socket.SHUT_WR)


def _serve(listener: socket.socket, context: ssl.SSLContext, backend_port: int, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            raw, _ = listener.accept()
        except OSError:
            return
        raw.settimeout(60)
        try:
            client = context.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):  # a client that does not trust us: its handshake fails
            raw.close()
            continue
        upstream = socket.create_connection((LOOPBACK, backend_port), timeout=60)
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


@contextmanager
def tls_proxy(backend_port: int, workdir: Path) -> Iterator[TlsProxy]:
    ca = trustme.CA()
    server_cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)
    workdir.mkdir(parents=True, exist_ok=True)
    ca_pem = workdir / "private-ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    system = Path(ssl.get_default_verify_paths().openssl_cafile)
    bundle = workdir / "ca-bundle.pem"
    bundle.write_bytes((system.read_bytes() if system.is_file() else b"") + ca_pem.read_bytes())
    port = free_port()
    listener = socket.create_server((LOOPBACK, port))
    stop = threading.Event()
    thread = threading.Thread(target=_serve, args=(listener, context, backend_port, stop), daemon=True)
    thread.start()
    try:
        yield TlsProxy(f"https://127.0.0.1:{port}/", ca_pem, bundle)
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=5)
