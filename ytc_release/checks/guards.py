"""CI guards: a library change needs a version bump and a CHANGELOG entry; a
release tag must name the version in source."""

from __future__ import annotations

import re
import subprocess

from packaging.version import Version

from ytc_release.changelog import require_entry
from ytc_release.errors import GuardError
from ytc_release.paths import Layout
from ytc_release.toolkit.runner import run
from ytc_release.version import read_version, version_in

TAG_PATTERN = re.compile(r"^common-v(?P<version>\d+\.\d+\.\d+)$")
_NULL_SHA = re.compile(r"^0+$")


def release_tag(version: str) -> str:
    """The tag of a release (the one TAG_PATTERN reads back)."""
    return f"common-v{version}"


def check_tag(lay: Layout, tag: str) -> str:
    match = TAG_PATTERN.match(tag.removeprefix("refs/tags/"))
    if not match:
        raise GuardError(
            f"the tag {tag!r} is not of the form common-vX.Y.Z",
            "tag the release commit as common-vX.Y.Z (X.Y.Z = __version__ in common/)",
        )
    source = read_version(lay.version_file)
    if match["version"] != source:
        raise GuardError(
            f"the tag says {match['version']} but the source version is {source}",
            f"tag the commit whose version is {match['version']}, or tag this one common-v{source}",
        )
    return source


def _git(lay: Layout, *args: str) -> subprocess.CompletedProcess[str]:
    return run(["git", "-C", str(lay.root), *args], merge_stderr=False)


def check_version_bumped(lay: Layout, base: str) -> str:
    """Fails when common/src changed since ``base`` without a higher version and its CHANGELOG entry."""
    if not base or _NULL_SHA.match(base):
        return "no base commit to compare with (a new branch): nothing to check"
    if _git(lay, "cat-file", "-e", f"{base}^{{commit}}").returncode != 0:
        raise GuardError(f"the base commit {base} is not in this clone", "fetch with full history (fetch-depth: 0)")
    library = lay.project.library
    changed = _git(lay, "diff", "--name-only", base, "HEAD", "--", library).stdout.split()
    changed = [c for c in changed if lay.changelog is None or c != lay.changelog.relative_to(lay.root).as_posix()]
    if not changed:
        return f"{library}/ unchanged: no bump needed"
    old_text = _git(lay, "show", f"{base}:{lay.version_file.relative_to(lay.root).as_posix()}").stdout
    old = version_in(old_text)
    new = read_version(lay.version_file)
    if old and Version(new) <= Version(old):
        raise GuardError(
            f"{library}/ changed ({', '.join(changed[:5])}{' ...' if len(changed) > 5 else ''}) "
            f"but the version is still {new} (was {old})"
        )
    if lay.changelog is not None:
        require_entry(lay.changelog, new)
    return f"{library}/ changed and the version moved to {new}" + (" with a CHANGELOG entry" if lay.changelog else "")
