"""A live embedded index on a free loopback port, and ways to talk to it."""

from __future__ import annotations

import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from release.embedded import EmbeddedIndex
from release.index_client import twine_upload_command
from release.target import IndexTarget, embedded_target
from tests.support.net import free_port


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


def start_index(home: Path, port: int | None = None) -> LiveIndex:
    index = EmbeddedIndex(home)
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


def make_wheel(directory: Path, name: str = "ytcaption_common", version: str = "1.0.0", payload: bytes = b"") -> Path:
    """A small but valid wheel, for index tests that need a file of a given name."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-{version}-py3-none-any.whl"
    dist = f"{name}-{version}.dist-info"
    dist_name = name.replace("_", "-")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{name}/__init__.py", f"__version__ = {version!r}\n")
        zf.writestr(f"{name}/payload.bin", payload)
        zf.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: {version}\n")
        zf.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{dist}/RECORD", "")
    return path
