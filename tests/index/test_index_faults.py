"""Faults stock pypiserver gets wrong: crashes mid-upload, reads that
invalidate the listing. Real files, real server processes."""

from __future__ import annotations

import base64
import io
import os
import signal
import socket
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.support.index import make_wheel, start_index, twine_upload
from ytc_index.backend import INCOMING, FreshFileBackend, write_atomically
from ytc_index.registry import PrivateNames
from ytc_release.index.client import project_files
from ytc_release.toolkit import web as http


def test_kill_9_during_a_large_upload_leaves_nothing_listed_and_the_upload_can_be_retried(tmp_path: Path) -> None:
    live = start_index(tmp_path / "index")
    wheel = make_wheel(tmp_path / "w", payload=os.urandom(20 * 1024 * 1024))
    user, password = live.credentials
    try:
        boundary = "killboundary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name=":action"\r\n\r\nfile_upload\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="content"; filename="{wheel.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        data = wheel.read_bytes()
        tail = f"\r\n--{boundary}--\r\n".encode()
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        port = int(live.url.rsplit(":", 1)[1].strip("/"))
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(
                (
                    f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {token}\r\n"
                    f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                    f"Content-Length: {len(head) + len(data) + len(tail)}\r\n\r\n"
                ).encode()
                + head
                + data[: len(data) // 2]
            )
            pid = int(live.index.running()["pid"])
            os.killpg(pid, signal.SIGKILL)  # the whole server, mid-upload
            os.waitpid(pid, 0)  # the master is this process's child: reap it
        # A crash inside the write itself leaves a hidden temp file: simulate its leftovers too.
        (live.index.packages / ".upload-crashed.part").write_bytes(data[:1000])

        live = start_index(tmp_path / "index")  # the stale pid file is cleaned up
        assert project_files(live.target, "ytcaption-common") == []
        assert [p.name for p in live.index.packages.iterdir() if p.suffix in (".whl", ".part")] == []
        assert http.get(live.url + "packages/" + wheel.name).status == 404

        assert twine_upload(live.url, [wheel], user, password).returncode == 0
        files = project_files(live.target, "ytcaption-common")
        assert [f.filename for f in files] == [wheel.name]
        assert http.get(files[0].url).body == data
    finally:
        live.stop()


class _Breaks(io.BytesIO):
    def read(self, size: int = -1) -> bytes:
        if self.tell() >= 1 << 20:
            raise ConnectionResetError("client went away")
        return super().read(size)


def test_an_interrupted_write_never_appears_under_its_final_name(tmp_path: Path) -> None:
    packages, state = tmp_path / "packages", tmp_path / "state"
    packages.mkdir()
    state.mkdir()
    with pytest.raises(ConnectionResetError):
        write_atomically(packages, state, "ytcaption_common-1.0.0-py3-none-any.whl", _Breaks(os.urandom(3 << 20)))
    assert [p.name for p in packages.iterdir()] == [INCOMING] and list((packages / INCOMING).iterdir()) == []


def _backend(root: Path) -> FreshFileBackend:
    state = root.parent / f"{root.name}-state"
    state.mkdir(exist_ok=True)
    return FreshFileBackend(SimpleNamespace(hash_algo="sha256"), root, state, PrivateNames(state, []))


def test_reading_files_does_not_invalidate_the_listing(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path)
    backend = _backend(tmp_path)
    old = os.stat(tmp_path).st_mtime_ns - 10**9  # make the directory's last change clearly in the past
    os.utime(tmp_path, ns=(old, old))
    first = backend._current()
    for pkg in backend.get_all_packages():
        assert backend.digest(pkg).startswith("sha256=")
        wheel.read_bytes()  # downloads read the file
    assert backend._current() is first  # same listing object: no rescan
    make_wheel(tmp_path, version="1.0.1")  # a real change
    assert backend._current() is not first
    assert sorted(p.version for p in backend.find_project_packages("ytcaption-common")) == ["1.0.0", "1.0.1"]


def test_an_in_place_rewrite_changes_the_digest(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, payload=b"a")
    backend = _backend(tmp_path)
    pkg = next(iter(backend.find_project_packages("ytcaption-common")))
    before = backend.digest(pkg)
    wheel.write_bytes(wheel.read_bytes() + b"tampered")
    assert backend.digest(pkg) != before
