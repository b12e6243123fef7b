"""The versions end-to-end tests expect, derived from the one version source, so a
version bump in common/ does not break tests that release it."""

from __future__ import annotations

from tests.conftest import REPO_ROOT
from ytc_release.version import next_version, read_version

V = read_version(REPO_ROOT / "common/src/ytcaption_common/__init__.py")  # what this checkout releases
V_PATCH = next_version(V, "patch")
V_MINOR = next_version(V, "minor")
V_UNRELEASED = next_version(V_PATCH, "patch").rsplit(".", 1)[0] + ".5"  # a version with no CHANGELOG entry
