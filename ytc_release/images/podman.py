"""Podman with all of its state and configuration in a folder of the project's
own (.images/), never the machine's global config, never its default network.
The settings these machines need are in docs/containers.md."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ytc_release.errors import ContainerError
from ytc_release.toolkit.runner import run, run_checked

BASE_IMAGE = "docker.io/library/python:3.11-slim"
APT_PACKAGES = [
    "podman",
    "buildah",
    "debootstrap",
    "runc",
    "containernetworking-plugins",
    "uidmap",
    "fuse-overlayfs",
    "conmon",
    "golang-github-containers-common",
    # the init process behind `podman run --init` (SIGTERM stops python promptly)
    "catatonit",
]


@dataclass(frozen=True)
class Podman:
    state: Path

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            CONTAINERS_CONF=str(self.state / "containers.conf"),
            CONTAINERS_STORAGE_CONF=str(self.state / "storage.conf"),
            CONTAINERS_REGISTRIES_CONF=str(self.state / "registries.conf"),
            TMPDIR=str(self.state / "tmp"),
        )
        return env

    def configure(self) -> None:
        (self.state / "tmp").mkdir(parents=True, exist_ok=True)
        (self.state / "containers.conf").write_text(
            "[containers]\n"
            'netns = "host"\n'  # never the default bridge network on this machine
            'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n'
            "[engine]\n"
            'runtime = "runc"\n'  # crun refuses the hybrid cgroup layout here
            'cgroup_manager = "cgroupfs"\n'
            'events_logger = "file"\n'
        )
        (self.state / "storage.conf").write_text(
            f'[storage]\ndriver = "overlay"\ngraphroot = "{self.state}/storage"\nrunroot = "{self.state}/run"\n'
        )
        (self.state / "registries.conf").write_text(
            'unqualified-search-registries = []\n[[registry]]\nlocation = "docker.io"\nblocked = true\n'
        )

    def run(self, *args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        if not check:
            return run(["podman", *args], env=self.env, timeout=timeout, merge_stderr=False)
        return run_checked(
            ["podman", *args],
            env=self.env,
            timeout=timeout,
            merge_stderr=False,
            error=ContainerError,
            what=f"`podman {' '.join(args[:3])} ...` failed",
        )


@contextmanager
def running_container(podman: Podman, name: str, image: str, *options: str) -> Iterator[str]:
    """`podman run -d --init --network host` (never the default network here),
    removed again however the block ends. Yields the container's name."""
    podman.run("rm", "-f", name, check=False)
    podman.run("run", "-d", "--init", "--network", "host", "--name", name, *options, image)
    try:
        yield name
    finally:
        podman.run("rm", "-f", name, check=False)


def ensure_installed() -> None:
    if shutil.which("podman") and shutil.which("debootstrap") and Path("/usr/libexec/podman/catatonit").exists():
        return
    if os.geteuid() != 0:
        raise ContainerError("podman is not installed and installing it needs root")
    print(f"installing from Debian: {' '.join(APT_PACKAGES)}", flush=True)
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES],
    ):
        run_checked(
            cmd,
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
            error=ContainerError,
            what=f"this machine cannot install podman (`{' '.join(cmd[:2])}` failed)",
        )


def debian_mirror() -> str:
    """The Debian mirror this machine's apt already uses (no host is hard-coded here)."""
    sources = Path("/etc/apt/sources.list.d/debian.sources")
    if sources.exists():
        match = re.search(r"^URIs:\s*(\S+/debian)\s*$", sources.read_text(), re.MULTILINE)
        if match:
            return match[1]
    legacy = Path("/etc/apt/sources.list")
    if legacy.exists():
        match = re.search(r"^deb\s+(\S+/debian)\s+bookworm\s", legacy.read_text(), re.MULTILINE)
        if match:
            return match[1]
    raise ContainerError(
        "cannot find the Debian mirror in /etc/apt/sources.list(.d)",
        "configure apt for bookworm, or load a python:3.11-slim image into podman",
    )


def ensure_base_image(podman: Podman, cache: Path) -> str:
    """The local stand-in for python:3.11-slim, built once and cached as a tarball."""
    if podman.run("image", "exists", BASE_IMAGE, check=False).returncode == 0:
        return "present"
    if cache.exists():
        podman.run("load", "-i", str(cache))
        return "loaded from cache"
    rootfs = Path(tempfile.mkdtemp(prefix="rootfs-", dir=podman.state / "tmp"))
    try:
        run_checked(
            [
                "debootstrap",
                "--variant=minbase",
                "--include=python3,python3-pip,python3-venv,ca-certificates",
                "bookworm",
                str(rootfs),
                debian_mirror(),
            ],
            timeout=900,
            error=ContainerError,
            what="debootstrap failed",
        )
        _make_it_behave_like_the_official_image(rootfs)
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        run_checked(
            [
                "podman",
                "import",
                "--change",
                "ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "--change",
                "ENV LANG=C.UTF-8",
                "--change",
                'CMD ["python3"]',
                "-",
                BASE_IMAGE,
            ],
            stdin=tar.stdout,
            env=podman.env,
            error=ContainerError,
            what="podman import failed",
        )
        tar.wait()
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)
    podman.run("save", "-o", str(cache), BASE_IMAGE)
    return "built with debootstrap"


def _make_it_behave_like_the_official_image(rootfs: Path) -> None:
    (rootfs / "usr/lib/python3.11/EXTERNALLY-MANAGED").unlink(missing_ok=True)
    local_bin = rootfs / "usr/local/bin"
    local_bin.mkdir(parents=True, exist_ok=True)
    for name in ("python", "python3"):
        link = local_bin / name
        link.unlink(missing_ok=True)
        link.symlink_to("/usr/bin/python3")
    pip = local_bin / "pip"
    pip.write_text('#!/bin/sh\nexec python3 -m pip "$@"\n')
    pip.chmod(0o755)
    # The machine reaches public registries through a TLS-intercepting proxy:
    # pip in the image must trust the same CAs as the host.
    shutil.copy("/etc/ssl/certs/ca-certificates.crt", rootfs / "etc/ssl/certs/ca-certificates.crt")
    for junk in ("var/lib/apt/lists", "usr/share/doc", "usr/share/man", "var/cache/apt/archives"):
        path = rootfs / junk
        if path.is_dir():
            shutil.rmtree(path)
            path.mkdir()
