"""Step 6, pin: move each service's pin to the verified version and re-lock
what moved (or whose lock is missing or stale). Every new lock is compiled and
checked first; files are written only when all of them stand, so a failure
leaves every service as it was. A pin marked `# hold` stays."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ytc_release.errors import VerifyError
from ytc_release.pipeline.steps import Context, Results
from ytc_release.services import locking, pins
from ytc_release.services.pins import Pin
from ytc_release.target import IndexTarget


@dataclass(frozen=True)
class Pinned:
    moved: tuple[tuple[str, str, str], ...]  # (service, old, new)
    held: tuple[tuple[str, str], ...]  # (service, version)


def _plan(ctx: Context, target: IndexTarget, pin: Pin, version: str, verified: set[str]) -> tuple[str, str] | None:
    """(new requirements.txt, new lock) for a service that must change, else None."""
    report, name = ctx.report, ctx.lay.project.normalized
    service_dir = pin.requirements.parent
    text = pin.requirements.read_text(encoding="utf-8")
    new_text = text if pin.version == version else pins.rewrite_pin(text, version, sorted(verified), distribution=name)
    lock_path = service_dir / locking.LOCK_FILE
    old_lock = lock_path.read_text(encoding="utf-8") if lock_path.is_file() else None
    current = locking.parse_lock(old_lock).get(name) if old_lock else None
    if (
        new_text == text
        and locking.stale_reason(text, old_lock) is None
        and current is not None
        and (current.version, current.hashes) == (version, verified)
    ):
        report.detail(f"{pin.service}: already {version}, lock current")
        return None
    lock = locking.compile_lock(
        service_dir,
        target,
        locking.lock_python(service_dir, ctx.lock_python),
        requirements_text=new_text,
        upgrade_packages=(name,),
    )
    locked = locking.parse_lock(lock).get(name)
    if locked is None or locked.version != version or locked.hashes != verified:
        raise VerifyError(f"the new lock of {pin.service} does not hold exactly the verified files of {name} {version}")
    return new_text, lock


def _write_all(planned: list[tuple[Pin, str, str]]) -> None:
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


def step(ctx: Context, done: Results) -> Pinned:
    report, ready = ctx.report, done.ready
    version, verified = ready.version, {a.sha256 for a in done.artifacts}
    held: list[tuple[str, str]] = []
    planned: list[tuple[Pin, str, str]] = []
    for pin in ready.pins:
        if pin.held:
            held.append((pin.service, pin.version))
            report.detail(f"{pin.service}: {pin.version} (held by `# {pins.HOLD_MARKER}`, lock unchanged)")
            continue
        change = _plan(ctx, ready.index, pin, version, verified)
        if change is not None:
            planned.append((pin, *change))
    _write_all(planned)
    moved: list[tuple[str, str, str]] = []
    for pin, _, _ in planned:
        if pin.version != version:
            moved.append((pin.service, pin.version, version))
            report.detail(f"{pin.service}: {pin.version} -> {version}, {locking.LOCK_FILE} re-locked")
        else:
            report.detail(f"{pin.service}: already {version}, {locking.LOCK_FILE} re-locked")
    return Pinned(tuple(moved), tuple(held))
