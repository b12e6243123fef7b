"""A live embedded index on a free loopback port, and ways to talk to it."""

from __future__ import annotations

import io
import subprocess
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.net import free_port
from ytc_release.index.client import twine_upload_command
from ytc_release.index.embedded import EmbeddedIndex
from ytc_release.target import IndexTarget, embedded_target


@dataclass
class LiveIndex:
    index: EmbeddedIndex
    url: str

    @property
    def target(self) -> IndexTarget:
        return embedded_target(self.index)

    @property
    def credentials(self) -> tuple[str, str]:
        _, user, password = self.index.credentials()
        return user, password

    def stop(self) -> None:
        self.index.down()


def start_index(home: Path, port: int | None = None, owned_names: str = "") -> LiveIndex:
    """An embedded index on a free port; ``owned_names`` as the tool passes the configured library's."""
    index = EmbeddedIndex(home, owned_names=owned_names)
    url, _ = index.up(port or free_port())
    return LiveIndex(index, url)


def twine_upload(
    url: str, files: list[Path], user: str | None, password: str | None
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home())}
    if user is not None:
        env["TWINE_USERNAME"] = user
    if password is not None:
        env["TWINE_PASSWORD"] = password
    return subprocess.run(twine_upload_command(url, *files), capture_output=True, text=True, env=env, check=False)


def make_wheel(
    directory: Path,
    name: str = "ytcaption_common",
    version: str = "1.0.0",
    payload: bytes = b"",
    tag: str = "py3-none-any",
    build_tag: str | None = None,
    metadata_version: str | None = None,
) -> Path:
    """A small but valid wheel, for index tests that need a file of a given name.
    `metadata_version` makes METADATA disagree with the filename."""
    directory.mkdir(parents=True, exist_ok=True)
    build = f"-{build_tag}" if build_tag else ""
    path = directory / f"{name}-{version}{build}-{tag}.whl"
    dist = f"{name}-{version}.dist-info"
    dist_name = name.replace("_", "-")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{name}/__init__.py", f"__version__ = {version!r}\n")
        zf.writestr(f"{name}/payload.bin", payload)
        zf.writestr(
            f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: {metadata_version or version}\n"
        )
        zf.writestr(f"{dist}/WHEEL", f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: {tag}\n")
        zf.writestr(f"{dist}/RECORD", "")
    return path


def make_sdist(
    directory: Path, name: str = "ytcaption_common", version: str = "1.0.0", metadata_version: str | None = None
) -> Path:
    """A small but valid sdist (NAME-VERSION/PKG-INFO inside a tar.gz)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-{version}.tar.gz"
    top = f"{name}-{version}"
    files = {
        f"{top}/PKG-INFO": f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: {metadata_version or version}\n",
        f"{top}/pyproject.toml": "[project]\n",
    }
    with tarfile.open(path, "w:gz") as tar:
        for member, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def multipart(
    filename: str, data: bytes, action: str = "file_upload", boundary: str = "testboundary"
) -> tuple[bytes, dict[str, str]]:
    """An upload form as twine sends it (the fields pypiserver reads)."""
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name=":action"\r\n\r\n{action}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="content"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode("utf-8", "surrogateescape")
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
