"""The checks `make images` runs on built images can fail: an image that keeps
its pip.conf is caught. (`make images` itself runs in .ci/run.)"""

from __future__ import annotations

from pathlib import Path

from ytc_release.images.podman import Podman


def test_a_pip_conf_baked_into_a_layer_is_found(podman: Podman, tmp_path: Path) -> None:
    from ytc_release.images.services import _secret_in_layers

    context = tmp_path / "ctx"
    context.mkdir()
    (context / "pip.conf").write_text("[global]\nindex-url = http://u:leaky-secret-1234@127.0.0.1:1/simple/\n")
    (context / "Dockerfile").write_text("FROM python:3.11-slim\nCOPY pip.conf /etc/pip.conf\n")
    image = "localhost/ytcaption/leaky:test"
    podman.run("build", "--network", "host", "-t", image, str(context))
    try:
        leaks = _secret_in_layers(podman, image, "leaky-secret-1234", tmp_path)
        assert any("etc/pip.conf" in leak for leak in leaks)
        clean = _secret_in_layers(podman, image, "a-string-in-no-layer-98765", tmp_path)
        assert all("pip.conf left in the image" in leak for leak in clean)
    finally:
        podman.run("rmi", "-f", image, check=False)


def test_the_base_image_is_the_local_stand_in(podman: Podman) -> None:
    out = podman.run(
        "run",
        "--rm",
        "--network",
        "host",
        "python:3.11-slim",
        "python",
        "-c",
        "import sys, shutil; print(sys.version_info[:2], shutil.which('pip'))",
    ).stdout
    assert "(3, 11)" in out and "/usr/local/bin/pip" in out
