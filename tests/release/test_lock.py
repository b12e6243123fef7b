"""requirements.lock covers what the pyproject.toml files ask for: a dependency
added without `make lock` fails here, not on a fresh machine."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>[^\s;]+)")


def locked(repo_root: Path) -> dict[str, list[Version]]:
    text = (repo_root / "requirements.lock").read_text()
    pins: dict[str, list[Version]] = {}
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{match['name']} is locked without a hash"
            pins.setdefault(canonicalize_name(match["name"]), []).append(Version(match["version"]))
    return pins


def test_every_declared_dependency_is_locked_with_a_hash_in_its_range(repo_root: Path) -> None:
    pins = locked(repo_root)
    root = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    common = tomllib.loads((repo_root / "common/pyproject.toml").read_text())["project"]
    declared = [*root["dependencies"], *root["optional-dependencies"]["dev"], *common["dependencies"]]
    for line in declared:
        req = Requirement(line)
        versions = pins.get(canonicalize_name(req.name))
        assert versions, f"{req.name} is declared but not in requirements.lock: run `make lock`"
        assert any(req.specifier.contains(v, prereleases=True) for v in versions), (
            f"requirements.lock has {req.name} {versions}, outside {req.specifier}: run `make lock`"
        )
    # The build backend that decides the wheel's bytes is pinned to one version for every Python.
    assert len(pins["hatchling"]) == 1 and len(pins["build"]) == 1
