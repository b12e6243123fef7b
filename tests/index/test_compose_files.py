"""Compose files, validated by a real schema validator, and holding the settings we promise."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import yaml

from ytc_index.settings import SETTINGS, IndexSettings
from ytc_release.paths import Layout
from ytc_release.services.pins import discover_services

VALIDATOR = str(Path(sys.executable).parent / "check-jsonschema")


def validate(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [VALIDATOR, "--builtin-schema", "vendor.compose-spec", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_compose_file_is_valid(repo_root: Path) -> None:
    files = [
        repo_root / "docker-compose.index.yml",
        *(s / "docker-compose.yml" for s in discover_services(Layout(repo_root))),
    ]
    result = validate(*files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_rejects_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("services:\n  index:\n    image: x\n    restart: unless-stopped\n    healthcheck: yes-please\n")
    assert validate(broken).returncode != 0


def test_index_compose_holds_the_promised_settings(repo_root: Path) -> None:
    spec = yaml.safe_load((repo_root / "docker-compose.index.yml").read_text())
    index = spec["services"]["index"]
    assert index["image"].startswith("ytcaption/index:pypiserver-2.4.2") and "latest" not in index["image"]
    assert index["restart"] == "unless-stopped"
    assert "/health" in " ".join(index["healthcheck"]["test"])
    mounts = {m["target"]: m for m in index["volumes"]}
    assert mounts["/data/packages"]["type"] == "bind"
    assert mounts["/data/auth"]["read_only"] is True
    env = index["environment"]
    defaults = IndexSettings.from_env({})  # what the embedded index runs with
    assert env["YTC_INDEX_AUTHENTICATE"].endswith(f":-{','.join(defaults.authenticate)}}}")
    assert env["YTC_INDEX_RESERVED"].endswith(f":-{','.join(defaults.reserved)}}}")
    assert "OVERWRITE" not in " ".join(env)  # overwriting is not a setting at all
    for key, value in (
        ("YTC_INDEX_CHANNEL_TIMEOUT", defaults.channel_timeout),
        ("YTC_INDEX_CONNECTION_LIMIT", defaults.connection_limit),
        ("YTC_INDEX_THREADS", defaults.threads),
    ):
        assert env[key].endswith(f":-{value}}}"), key  # the VM runs with the same slow-client limits
    assert env["YTC_INDEX_ALLOW"].endswith(":-}")  # no extra uploadable names unless the operator adds them
    dockerfile = (repo_root / "index/Dockerfile").read_text()
    requirements = (repo_root / "index/requirements.txt").read_text()
    assert (
        "pypiserver==2.4.2" in requirements
        and "libpass==" in requirements
        and 'CMD ["python", "-m", "ytc_index"]' in dockerfile
    )
    assert "waitress==" in requirements and "gunicorn" not in requirements


# Fixed by index/Dockerfile's ENV: they must agree with the port mapping and the mounts.
CONTAINER_FIXED = {"host", "port", "packages", "htpasswd", "state_dir", "pages_dir"}


def test_compose_passes_every_index_setting_with_the_embedded_default(repo_root: Path) -> None:
    """A setting declared in settings.SETTINGS but missing from compose fails here: the
    list comes from the one declaration, so a new setting cannot be forgotten."""
    env = yaml.safe_load((repo_root / "docker-compose.index.yml").read_text())["services"]["index"]["environment"]
    dockerfile = (repo_root / "index/Dockerfile").read_text()
    defaults = IndexSettings.from_env({})
    # One declaration per dataclass field, and the environment variable named after it.
    assert [s.name for s in SETTINGS] == [f.name for f in dataclasses.fields(IndexSettings)]
    for setting in SETTINGS:
        key = setting.env
        assert key == f"YTC_INDEX_{setting.name.upper()}"
        if setting.name in CONTAINER_FIXED:
            assert re.search(rf"\b{key}=\S+", dockerfile), f"{key} is neither in compose nor fixed by index/Dockerfile"
            assert key not in env, f"{key} is fixed by index/Dockerfile; compose must not override it"
            continue
        assert key in env, f"docker-compose.index.yml does not pass {key} to the container"
        match = re.fullmatch(rf"\$\{{{key}:-(.*)\}}", env[key])
        assert match, f"{key}: use ${{{key}:-default}}, got {env[key]!r}"
        # compose's default means what the embedded index runs with
        assert getattr(IndexSettings.from_env({key: match[1]}), setting.name) == getattr(defaults, setting.name), key
        assert getattr(defaults, setting.name) == setting.default


def test_every_setting_is_documented_and_on_the_command_line(repo_root: Path) -> None:
    from ytc_index.server import parse_args

    readme = (repo_root / "index/README.md").read_text()
    base = IndexSettings.from_env({})
    for setting in SETTINGS:
        assert f"`{setting.env}`" in readme, f"index/README.md's settings table lacks {setting.env}"
    parsed = parse_args(["--port", "9999", "--reserved", "", "--state-dir", "/srv/s"], base)
    assert (parsed.port, parsed.reserved, parsed.state_dir) == (9999, (), Path("/srv/s"))
    assert parse_args([], base) == base


def test_nginx_runs_the_one_config_file_the_tests_run(repo_root: Path) -> None:
    from tests.support.nginx import TEMPLATE, render

    spec = yaml.safe_load((repo_root / "docker-compose.index.yml").read_text())
    nginx = spec["services"]["nginx"]
    assert re.fullmatch(r"nginx:\d+\.\d+\.\d+(-alpine)?", nginx["image"]), "a pinned nginx image"
    mounts = {m["target"]: m for m in nginx["volumes"]}
    template = mounts["/etc/nginx/templates/ytc-index.conf.template"]
    assert (repo_root / template["source"]).resolve() == TEMPLATE and template["read_only"] is True
    index_mounts = {m["target"]: m["source"] for m in spec["services"]["index"]["volumes"]}
    # nginx reads the same folders the index writes, and no others (never its state or accounts).
    assert mounts["/data/packages"]["source"] == index_mounts["/data/packages"]
    assert mounts["/data/static"]["source"] == index_mounts["/data/static"]
    assert all(m["read_only"] for m in mounts.values())
    # Every placeholder of the file is given by compose (the image's envsubst fills them).
    render({k: str(v) for k, v in nginx["environment"].items()})
    assert "ports" not in spec["services"]["index"] and nginx["ports"]


def test_service_compose_files_pass_the_pip_conf_as_a_build_secret(repo_root: Path) -> None:
    for service in discover_services(Layout(repo_root)):
        spec = yaml.safe_load((service / "docker-compose.yml").read_text())
        (svc,) = spec["services"].values()
        assert svc["build"]["secrets"] == ["pipconf"]
        assert spec["secrets"]["pipconf"]["file"] == "${YTC_PIPCONF:-/etc/ytcaption/pip.conf}"
        assert "args" not in svc["build"]  # credentials never travel as build args
        assert svc["restart"] == "unless-stopped" and "healthcheck" in svc
        assert "REDIS_URL" in svc["environment"]
