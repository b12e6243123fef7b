"""The index VM's image (index/Dockerfile), built and exercised like the
services': it must serve /health, take an authenticated upload and list it
with its sha256, and answer 404 for a reserved private name."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ytc_index.roles import roles_path
from ytc_release.errors import ContainerError
from ytc_release.images.podman import Podman, running_container
from ytc_release.index.accounts import generate_password, set_user
from ytc_release.index.client import project_files, upload, version_of
from ytc_release.pipeline.build import Artifact
from ytc_release.target import IndexTarget
from ytc_release.toolkit import web
from ytc_release.toolkit.ports import free_port
from ytc_release.toolkit.waiting import wait_until

IMAGE = "localhost/ytcaption/index:images-check"
CONTAINER_UID = 10002  # the user index/Dockerfile creates


def _wait_up(url: str, timeout: float = 60) -> None:
    if wait_until(lambda: web.healthy(url, timeout=3), timeout=timeout, interval=0.5):
        return
    raise ContainerError(f"the index container did not answer {url}health within {timeout}s")


def build_and_check_index_image(
    podman: Podman, index_dir: Path, wheel: Artifact, work: Path
) -> tuple[float, float, str]:
    """(build seconds, size MB, what was checked); raises ContainerError on a failed check."""
    start = time.monotonic()
    podman.run(
        "build", "--no-cache", "--network", "host", "-t", IMAGE, "-f", str(index_dir / "Dockerfile"), str(index_dir)
    )
    build_seconds = time.monotonic() - start
    size_mb = int(podman.run("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout.strip()) / 1e6

    packages, auth = work / "index-data" / "packages", work / "index-data" / "auth"
    packages.mkdir(parents=True)
    auth.mkdir()
    password = generate_password()
    set_user(auth / "htpasswd", "publisher", password, role="publisher")  # and its roles file beside it
    htpasswd = auth / "htpasswd"
    for path in (packages, htpasswd, roles_path(htpasswd)):  # what the operator's chown does on the VM
        os.chown(path, CONTAINER_UID, -1)
    os.chmod(work / "index-data", 0o755)
    os.chmod(auth, 0o755)

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    options = [
        "-e",
        "YTC_INDEX_HOST=127.0.0.1",
        "-e",
        f"YTC_INDEX_PORT={port}",
        "-v",
        f"{packages}:/data/packages",
        "-v",
        f"{auth}:/data/auth:ro",
    ]
    with running_container(podman, "ytc-images-check-index", IMAGE, *options):
        _wait_up(url)
        target = IndexTarget(url, "publisher", password, "index image")
        upload(target, wheel.path)
        listed = {f.filename: f.sha256 for f in project_files(target, "ytcaption-common")}
        if listed != {wheel.name: wheel.sha256}:
            raise ContainerError(f"the index container lists {listed} after uploading {wheel.name}")
        # The page a person opens shows the upload (its description rendered inside the image).
        page = web.get(url + "project/ytcaption-common/")
        if page.status != 200 or f"ytcaption-common=={version_of(wheel.name)}".encode() not in page.body:
            raise ContainerError(f"the index container's project page answered {page.status} without the upload")
        if web.get(url + "simple/ytcaption-not-published/").status != 404:
            raise ContainerError("the index container does not answer 404 for a reserved private name")
        anonymous = web.request("POST", url, data=b"", headers={"Content-Type": "multipart/form-data; boundary=x"})
        if anonymous.status != 401:
            raise ContainerError(f"the index container answered {anonymous.status} to an anonymous upload")
    return (
        build_seconds,
        size_mb,
        "200 /health, upload listed with its sha256 and on its project page, 401 anonymous, 404 private name",
    )
