"""`ytc-release release`: preflight, build, check, publish, verify, pin."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

from ytc_release import changelog
from ytc_release.errors import TestsFailedError, UploadError, VerifyError, VersionTakenError
from ytc_release.index import client as index_client
from ytc_release.index.embedded import EmbeddedIndex
from ytc_release.paths import DIST_NAME, Layout
from ytc_release.pipeline import build as building
from ytc_release.pipeline import check as checking
from ytc_release.pipeline import verify
from ytc_release.pipeline.build import Artifact
from ytc_release.services import locking, pins
from ytc_release.target import IndexTarget, embedded_target, resolve_configured
from ytc_release.toolkit.report import Reporter
from ytc_release.toolkit.runner import run, tail
from ytc_release.version import read_version


@dataclass
class Outcome:
    version: str
    index: str
    artifacts: list[Artifact] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)
    already_published: bool = False
    pinned: list[tuple[str, str, str]] = field(default_factory=list)
    held: list[tuple[str, str]] = field(default_factory=list)
    dry_run: bool = False


def choose_target(lay: Layout, report: Reporter, repository: str | None, start: bool) -> IndexTarget | None:
    configured = resolve_configured(repository)
    if configured is not None:
        return configured
    index = EmbeddedIndex(lay.index_home)
    if index.url() is None:
        if not start:
            report.detail("no index configured and the embedded index is not running (a release would start it)")
            return None
        url, _ = index.up()
        report.detail(f"no index configured: started the embedded index at {url}")
    return embedded_target(index)


def run_common_tests(lay: Layout) -> None:
    result = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", lay.common_tests], cwd=lay.root)
    if result.returncode != 0:
        raise TestsFailedError(f"the tests of common failed:\n{tail(result.stdout)}")


def compare_with_index(
    published: list[index_client.IndexedFile], artifacts: list[Artifact], version: str
) -> list[Artifact]:
    """Which local files still need uploading. Any file of this version on the
    index that differs from the local build means the version is taken."""
    local = {a.name: a for a in artifacts}
    for entry in published:
        mine = local.get(entry.filename)
        if mine is None:
            raise VersionTakenError(
                f"{version} is already on the index with a file this build does not make: {entry.filename}"
            )
        if entry.sha256 != mine.sha256:
            raise VersionTakenError(
                f"{version} is already on the index and {entry.filename} differs from this build "
                f"(index sha256 {entry.sha256}, local {mine.sha256})"
            )
    present = {e.filename for e in published}
    return [a for a in artifacts if a.name not in present]


def release(
    lay: Layout, report: Reporter, *, dry_run: bool = False, repository: str | None = None, skip_tests: bool = False
) -> Outcome:
    with report.step("preflight"):
        version = read_version(lay.version_file)
        report.detail(f"version {version} (from {lay.version_file.relative_to(lay.root)})")
        changelog.require_entry(lay.changelog, version)
        report.detail(f"CHANGELOG has an entry for {version}")
        service_pins = pins.read_pins(lay.root)
        report.detail(f"{len(service_pins)} services: " + ", ".join(p.service for p in service_pins))
        # What the pin step will need to lock, known before anything is published.
        locking.uv_binary()
        for pin in service_pins:
            if not pin.held:
                locking.lock_python(pin.requirements.parent)
        target = choose_target(lay, report, repository, start=not dry_run)
        outcome = Outcome(version, target.describe() if target else "embedded default (not running)", dry_run=dry_run)
        published: list[index_client.IndexedFile] = []
        if target is not None:
            index_client.check_reachable_and_credentials(target)
            report.detail(f"index {target.describe()} reachable, credentials accepted")
            published = files_of_version(target, version)
            report.detail(f"index holds {len(published)} file(s) of {version}")
        if skip_tests:
            report.detail("tests of common skipped (--skip-tests)")
        else:
            run_common_tests(lay)
            report.detail("tests of common pass")

    if dry_run:
        _describe_dry_run(report, outcome, published, service_pins)
        return outcome
    assert target is not None

    with report.step("build"):
        artifacts = building.build(lay.common, lay.dist, lay.root)
        outcome.artifacts = artifacts
        for a in artifacts:
            report.detail(f"{a.sha256}  {a.name}")
    with report.step("check"):
        checking.check_artifacts(artifacts, version, lay.common)
        report.detail("twine check --strict passed; wheel holds only ytcaption_common and its metadata")
    publish_step(report, target, artifacts, published, version, outcome)
    verify_step(report, target, artifacts, version)
    with report.step("pin"):
        pin_services(report, target, service_pins, artifacts, version, outcome)
    return outcome


def pin_services(
    report: Reporter,
    target: IndexTarget,
    service_pins: list[pins.Pin],
    artifacts: list[Artifact],
    version: str,
    outcome: Outcome,
) -> None:
    """Move each pin and re-lock what moved (or whose lock is missing or stale). Every new
    lock is compiled and checked first; files are written only when all of them stand, so a
    failure leaves every service as it was."""
    verified = {a.sha256 for a in artifacts}
    planned: list[tuple[pins.Pin, str, str]] = []
    for pin in service_pins:
        if pin.held:
            outcome.held.append((pin.service, pin.version))
            report.detail(f"{pin.service}: {pin.version} (held by `# {pins.HOLD_MARKER}`, lock unchanged)")
            continue
        service_dir = pin.requirements.parent
        text = pin.requirements.read_text(encoding="utf-8")
        new_text = text if pin.version == version else pins.rewrite_pin(text, version, sorted(verified))
        lock_path = service_dir / locking.LOCK_FILE
        old_lock = lock_path.read_text(encoding="utf-8") if lock_path.is_file() else None
        current = locking.parse_lock(old_lock).get(DIST_NAME) if old_lock else None
        if (
            new_text == text
            and locking.stale_reason(text, old_lock) is None
            and current is not None
            and (current.version, current.hashes) == (version, verified)
        ):
            report.detail(f"{pin.service}: already {version}, lock current")
            continue
        lock = locking.compile_lock(
            service_dir,
            target,
            locking.lock_python(service_dir),
            requirements_text=new_text,
            upgrade_packages=(DIST_NAME,),
        )
        locked = locking.parse_lock(lock).get(DIST_NAME)
        if locked is None or locked.version != version or locked.hashes != verified:
            raise VerifyError(
                f"the new lock of {pin.service} does not hold exactly the verified files of {DIST_NAME} {version}"
            )
        planned.append((pin, new_text, lock))
    written: list[tuple[Path, str | None]] = []  # (file, its old text) to put back if a write fails
    try:
        for pin, new_text, lock in planned:
            lock_path = pin.requirements.parent / locking.LOCK_FILE
            for path, text in ((pin.requirements, new_text), (lock_path, lock)):
                written.append((path, path.read_text(encoding="utf-8") if path.is_file() else None))
                locking.atomic_write(path, text)
    except BaseException:
        for path, old in reversed(written):
            if old is None:
                path.unlink(missing_ok=True)
            else:
                locking.atomic_write(path, old)
        raise
    for pin, _, _ in planned:
        if pin.version != version:
            outcome.pinned.append((pin.service, pin.version, version))
            report.detail(f"{pin.service}: {pin.version} -> {version}, {locking.LOCK_FILE} re-locked")
        else:
            report.detail(f"{pin.service}: already {version}, {locking.LOCK_FILE} re-locked")


def publish_step(
    report: Reporter,
    target: IndexTarget,
    artifacts: list[Artifact],
    published: list[index_client.IndexedFile],
    version: str,
    outcome: Outcome,
) -> None:
    with report.step("publish"):
        missing = compare_with_index(published, artifacts, version)
        if not missing:
            outcome.already_published = True
            report.detail(f"{version} is already on the index with identical files: nothing to upload")
        # Wheel first: once it is up, installs work even if the sdist upload is interrupted.
        for artifact in sorted(missing, key=lambda a: not a.name.endswith(".whl")):
            try:
                index_client.upload(target, artifact.path)
            except UploadError as err:
                done = ", ".join(outcome.uploaded) or "none"
                raise UploadError(f"{err.problem}\n    already uploaded in this run: {done}") from err
            outcome.uploaded.append(artifact.name)
            report.detail(f"uploaded {artifact.name}")


def verify_step(report: Reporter, target: IndexTarget, artifacts: list[Artifact], version: str) -> None:
    with report.step("verify"):
        verify.check_served_hashes(target, artifacts, version)
        report.detail("the index lists and serves the same sha256 as the local build")
        verify.install_and_import(target, version)
        report.detail(f"fresh venv: pip install {DIST_NAME}=={version} from the index alone, import ok")


def files_of_version(target: IndexTarget, version: str) -> list[index_client.IndexedFile]:
    return [f for f in index_client.project_files(target, DIST_NAME) if version_of(f.filename) == version]


def version_of(filename: str) -> str | None:
    try:
        if filename.endswith(".whl"):
            return str(parse_wheel_filename(filename)[1])
        return str(parse_sdist_filename(filename)[1])
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None


def _describe_dry_run(
    report: Reporter, outcome: Outcome, published: list[index_client.IndexedFile], service_pins: list[pins.Pin]
) -> None:
    report.say("dry run: nothing was built, uploaded or rewritten. A release would:")
    if published:
        report.detail(
            f"compare the build with the {len(published)} file(s) of {outcome.version} on the index "
            "(identical: no-op; different: stop, the version is taken)"
        )
    else:
        report.detail(f"build, check and upload ytcaption-common {outcome.version} to {outcome.index}")
    report.detail("verify the install from the index in a fresh venv")
    for pin in service_pins:
        if pin.held:
            report.detail(f"leave {pin.service} on {pin.version} (held)")
        elif pin.version != outcome.version:
            report.detail(f"pin {pin.service}: {pin.version} -> {outcome.version} and re-lock it")
        else:
            report.detail(f"leave {pin.service} on {pin.version} (already there)")


def summary(report: Reporter, outcome: Outcome) -> None:
    report.say("")
    report.say(f"ytcaption-common {outcome.version} — {'dry run' if outcome.dry_run else 'released'}")
    report.detail(f"index:    {outcome.index}")
    for a in outcome.artifacts:
        report.detail(f"sha256:   {a.sha256}  {a.name}")
    if outcome.already_published:
        report.detail("publish:  already on the index with identical files — nothing uploaded (no-op)")
    elif outcome.uploaded:
        report.detail(f"uploaded: {', '.join(outcome.uploaded)}")
    for service, old, new in outcome.pinned:
        report.detail(f"pinned:   {service} {old} -> {new}")
    for service, version in outcome.held:
        report.detail(f"held:     {service} stays on {version} (`# {pins.HOLD_MARKER}` on its pin)")
    report.detail(f"time:     {report.elapsed():.1f}s")
