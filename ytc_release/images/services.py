"""`make images`: build every service's image with podman from its own folder
and Dockerfile, installing ytcaption-common from the embedded index through the
`pipconf` build secret; run each on the host network, check /health, and check
the image itself (no secret in any layer, a real wheel install, non-root)."""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ytc_release.errors import ContainerError, ReleaseError
from ytc_release.images.index_image import build_and_check_index_image
from ytc_release.images.podman import Podman, ensure_base_image, ensure_installed, running_container
from ytc_release.index.client import published_versions
from ytc_release.paths import Layout
from ytc_release.pipeline.build import build
from ytc_release.services import fleet, pins
from ytc_release.services.fleet_html import write_fleet_page
from ytc_release.target import IndexConfig, IndexTarget, embedded_index, embedded_target
from ytc_release.toolkit import web
from ytc_release.toolkit.ports import free_port
from ytc_release.toolkit.redis_server import RedisProcess
from ytc_release.toolkit.report import Reporter
from ytc_release.toolkit.waiting import wait_until

_PROBE = (
    "import importlib.metadata as m, os, ytcaption_common as y; "
    "d = m.distribution('ytcaption-common'); "
    "print(json.dumps({'file': y.__file__, 'version': d.version, 'uid': os.getuid(), "
    "'direct_url': d.read_text('direct_url.json'), 'app_common': os.path.exists('/srv/app/common') "
    "or os.path.exists('/app/common')}))"
)


@dataclass
class ImageResult:
    service: str
    pin: str
    build_seconds: float = 0.0
    size_mb: float = 0.0
    health: str = "not run"
    problems: list[str] = field(default_factory=list)
    fleet: fleet.Health | None = None


def _pip_conf(target: IndexTarget, directory: Path) -> Path:
    path = directory / "pip.conf"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"[global]\nindex-url = {target.simple_url_with_credentials()}\n")
    return path


def _wait_health(port: int, timeout: float = 60) -> dict[str, object]:
    last: list[str] = ["nothing answered"]

    def probe() -> dict[str, object] | None:
        try:
            resp = web.get(f"http://127.0.0.1:{port}/health", timeout=3)
        except OSError as err:
            last[0] = str(err)
            raise
        if resp.status != 200:
            last[0] = f"HTTP {resp.status}"
            return None
        return {**json.loads(resp.body), "http_status": resp.status}

    body = wait_until(probe, timeout=timeout, interval=0.5)
    if body is None:
        raise ContainerError(f"the container did not answer /health on port {port} within {timeout}s ({last[0]})")
    return body


def _secret_in_layers(podman: Podman, image: str, secret: str, work: Path) -> list[str]:
    archive = work / "image.tar"
    podman.run("save", "--format", "docker-archive", "-o", str(archive), image)
    found = []
    needle = secret.encode()
    with tarfile.open(archive) as outer:
        for member in outer.getmembers():
            if not member.isfile():
                continue
            data = outer.extractfile(member).read()  # type: ignore[union-attr]
            if needle in data:
                found.append(member.name)
            if member.name.endswith(".tar"):
                with tarfile.open(fileobj=io.BytesIO(data)) as layer:
                    for entry in layer.getmembers():
                        if entry.isfile() and needle in (layer.extractfile(entry).read() or b""):  # type: ignore[union-attr]
                            found.append(f"{member.name}:{entry.name}")
                        if entry.name.endswith("etc/pip.conf"):
                            found.append(f"{member.name}:{entry.name} (a pip.conf left in the image)")
    archive.unlink()
    return found


def build_and_check(
    podman: Podman,
    lay: Layout,
    service_dir: Path,
    result: ImageResult,
    pip_conf: Path,
    secret: str,
    work: Path,
    redis_url: str,
) -> None:
    """Fills ``result`` as it goes, so a failure still reports what was measured."""
    name = service_dir.name
    pin = result.pin
    image = f"localhost/ytcaption/{name}:images-check"
    start = time.monotonic()
    # --no-cache: a check must install what the index serves now, never a cached layer.
    podman.run(
        "build",
        "--no-cache",
        "--network",
        "host",
        "--secret",
        f"id=pipconf,src={pip_conf}",
        "-t",
        image,
        "-f",
        str(service_dir / "Dockerfile"),
        str(service_dir),
    )
    result.build_seconds = time.monotonic() - start
    inspect = json.loads(podman.run("image", "inspect", image).stdout)[0]
    result.size_mb = inspect["Size"] / 1e6
    config = inspect.get("Config", {})
    if any(secret in str(v) for v in config.get("Env", []) or []):
        result.problems.append("a credential is in the image's ENV")

    port = free_port()
    options = ["-e", f"UVICORN_PORT={port}", "-e", "UVICORN_HOST=127.0.0.1", "-e", f"REDIS_URL={redis_url}"]
    with running_container(podman, f"ytc-images-check-{name}", image, *options) as container:
        try:
            body = _wait_health(port)
        except ContainerError as err:
            logs = podman.run("logs", "--tail", "15", container, check=False)
            raise ContainerError(f"{err.problem}; its last log lines:\n{(logs.stdout + logs.stderr).strip()}") from err
        result.health = f"{body['http_status']} {body['status']} common_version={body['common_version']}"
        # What `ytc-release fleet` would report for this VM, asked the same way.
        result.fleet = fleet.fetch_health(f"http://127.0.0.1:{port}", timeout=5)
        if body["http_status"] != 200 or body["status"] != "healthy":
            result.problems.append(f"/health answered {body['http_status']} {body['status']}")
        if body["common_version"] != pin:
            result.problems.append(f"/health reports common_version {body['common_version']}, the pin is {pin}")
        probe = podman.run("exec", container, "python", "-c", "import json; " + _PROBE)
        facts = json.loads(probe.stdout)
        if facts["uid"] == 0:
            result.problems.append("the container runs as root")
        if "-packages/ytcaption_common/" not in facts["file"]:
            result.problems.append(f"ytcaption_common is imported from {facts['file']}, not site-/dist-packages")
        if facts["direct_url"] is not None:
            result.problems.append("ytcaption-common was installed from a path or editable, not from the index")
        if facts["app_common"]:
            result.problems.append("a copied common/ folder is in the image")
    leaks = _secret_in_layers(podman, image, secret, work)
    if leaks:
        result.problems.append(f"the pip.conf secret is in the image: {', '.join(leaks)}")


@contextmanager
def redis_on_loopback(workdir: Path) -> Iterator[RedisProcess]:
    """A real Redis for the containers (host network), so /health can say healthy."""
    redis = RedisProcess(workdir / "redis")
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def run_images(lay: Layout, report: Reporter, config: IndexConfig, epoch: str | None = None) -> int:
    ensure_installed()
    podman = Podman(lay.root / ".images")
    podman.configure()
    report.say(f"base image {ensure_base_image(podman, lay.root / '.images' / 'python-3.11-slim.tar')}")
    # Always the embedded index, not resolve_index's answer: the check makes a reader account on it
    # (an operator's job on a configured index). The settings still give its home, port and CA.
    index = embedded_index(lay.index_home, config, lay.project.owned_names)
    url, started = index.up()
    report.say(f"embedded index {'started' if started else 'running'} at {url}")
    target = embedded_target(index, config)
    available = set(published_versions(target, lay.project.distribution))
    service_pins = pins.read_pins(lay)
    missing = sorted({p.version for p in service_pins} - available)
    if missing:
        raise ReleaseError(
            f"the embedded index lacks {lay.project.distribution} {', '.join(missing)} that services pin",
            "run `ytc-release release` first",
        )
    results = []
    with (
        tempfile.TemporaryDirectory(prefix="ytc-images-", dir=podman.state / "tmp") as tmp,
        redis_on_loopback(Path(tmp)) as redis,
    ):
        work = Path(tmp)
        # The VMs' pip.conf carries a reader account: it lists and downloads, and cannot upload.
        reader_user, reader_password = index.reader_credentials()
        reader = IndexTarget(target.upload_url, reader_user, reader_password, "embedded index, reader account")
        pip_conf = _pip_conf(reader, work)
        for pin in service_pins:
            service_dir = pin.requirements.parent
            report.say(f"building {pin.service} ...")
            result = ImageResult(pin.service, pin.version)
            try:
                build_and_check(podman, lay, service_dir, result, pip_conf, reader.password, work, redis.url)
            except ReleaseError as err:
                result.problems.append(err.problem)
            results.append(result)
        report.say("building index (docker-compose.index.yml's image) ...")
        index_result = ImageResult("index", "-")
        try:
            wheel = next(a for a in build(lay.library, work / "dist", lay.root, epoch) if a.name.endswith(".whl"))
            index_result.build_seconds, index_result.size_mb, index_result.health = build_and_check_index_image(
                podman, lay.root / "index", wheel, work
            )
        except ReleaseError as err:
            index_result.problems.append(err.problem)
        results.append(index_result)
    report.say(f"\n{'image':<32} {'build':>7} {'size':>9}  health")
    for r in results:
        report.say(f"{r.service:<32} {r.build_seconds:6.1f}s {r.size_mb:7.1f}MB  {r.health}")
        for problem in r.problems:
            report.say(f"    PROBLEM: {problem}")
    report.say("\nytc-release fleet over the containers as they ran:")
    fleet_rows = fleet.compare([r.fleet for r in results if r.fleet is not None], service_pins)
    for line in fleet.render(fleet_rows):
        report.say(f"    {line}")
    report.say(
        f"    as a page: {write_fleet_page(podman.state / 'fleet.html', fleet_rows, service_pins, target, lay.project.distribution)}"
    )
    failed = [r for r in results if r.problems]
    if failed:
        raise ReleaseError(f"{len(failed)} image(s) failed their checks", "see the PROBLEM lines above")
    report.say(
        f"\n{len(results) - 1} service images built from the index, every service healthy on its pinned "
        "ytcaption-common; the index image serves, authenticates and guards private names"
    )
    return 0
