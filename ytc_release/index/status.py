"""`ytc-release status`: the source version, the versions on the index, the pins."""

from __future__ import annotations

from ytc_release.index import client as index_client
from ytc_release.index.embedded import EmbeddedIndex
from ytc_release.paths import DIST_NAME, Layout
from ytc_release.pipeline.release import version_of
from ytc_release.services import pins
from ytc_release.target import IndexTarget, embedded_target, resolve_configured
from ytc_release.toolkit.report import Reporter
from ytc_release.version import read_version


def current_target(lay: Layout, repository: str | None = None) -> IndexTarget | None:
    """The configured index, or the embedded one when it runs (never started here)."""
    configured = resolve_configured(repository)
    if configured is not None:
        return configured
    index = EmbeddedIndex(lay.index_home)
    return embedded_target(index) if index.url() else None


def published_versions(target: IndexTarget) -> list[str]:
    from packaging.version import Version

    found = {version_of(f.filename) for f in index_client.project_files(target, DIST_NAME)}
    return sorted((v for v in found if v), key=Version)


def show_status(lay: Layout, report: Reporter, repository: str | None = None) -> int:
    report.say(f"source version: {read_version(lay.version_file)}")
    target = current_target(lay, repository)
    on_index: list[str] | None = None
    if target is None:
        report.say("index:          none configured and the embedded index is not running (`make index-up`)")
    else:
        on_index = published_versions(target)
        report.say(f"index:          {target.describe()}")
        report.say(f"on the index:   {', '.join(on_index) or '(none)'}")
    report.say("pins:")
    missing = 0
    for pin in pins.read_pins(lay.root):
        notes = []
        if pin.held:
            notes.append("held")
        if on_index is not None and pin.version not in on_index:
            notes.append("NOT ON THE INDEX")
            missing += 1
        report.detail(f"{pin.service:<32} {pin.version:<10} {' '.join(notes)}")
    return 1 if missing else 0
