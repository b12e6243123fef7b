"""A hash lock per service: every dependency, direct and transitive, pinned with `--hash=` lines.

`uv pip compile --generate-hashes` resolves a service's `requirements.txt` against our index
(which serves `ytcaption-*` itself and redirects every other name to the public index) into
`requirements.lock`; the Dockerfile installs that file with `--require-hashes --no-deps`, so a
file substituted anywhere on the path — the fallback, a proxy, an extra file on the index —
fails the build instead of being installed.

The lock's first lines record the Python it was resolved for and the sha256 of the
`requirements.txt` it came from: a lock whose digest no longer matches is stale."""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from ytc_index.files import replace_file
from ytc_release.errors import LockError
from ytc_release.services.pins import main_dockerfile
from ytc_release.target import IndexTarget
from ytc_release.toolkit import dockerfile
from ytc_release.toolkit.runner import clean_pip_env, run_checked

LOCK_FILE = "requirements.lock"
REQUIREMENTS_FILE = "requirements.txt"
CONSTRAINTS_FILE = "constraints.txt"  # beside requirements.txt: honoured when the lock is compiled
_HEADER = "# ytc-lock: python={python} requirements-sha256={digest}"
_HEADER_RE = re.compile(r"^# ytc-lock: python=(?P<python>\d+\.\d+) requirements-sha256=(?P<digest>[0-9a-f]{64})$", re.M)
_REQUIREMENT_RE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;\\]+)")
_HASH_RE = re.compile(r"--hash=sha256:(?P<hash>[0-9a-f]{64})")


@dataclass(frozen=True)
class LockHeader:
    python: str
    digest: str


@dataclass(frozen=True)
class Locked:
    """One requirement of a lock: its exact version and the hashes allowed for it."""

    name: str
    version: str
    hashes: frozenset[str]


def requirements_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def render_header(python: str, requirements_text: str) -> str:
    return (
        f"# Locked by `ytc-release lock` from {REQUIREMENTS_FILE}; never edit by hand: `ytc-release lock` refreshes it.\n"
        + _HEADER.format(python=python, digest=requirements_digest(requirements_text))
        + "\n"
    )


def read_header(lock_text: str) -> LockHeader | None:
    match = _HEADER_RE.search(lock_text)
    return LockHeader(match["python"], match["digest"]) if match else None


def parse_lock(lock_text: str) -> dict[str, Locked]:
    """Requirements of a `--generate-hashes` file by canonical name (continuation lines joined)."""
    entries: dict[str, Locked] = {}
    joined = re.sub(r"\\\n", " ", lock_text)
    for line in joined.splitlines():
        match = _REQUIREMENT_RE.match(line.strip())
        if match:
            name = canonicalize_name(match["name"])
            entries[name] = Locked(name, match["version"], frozenset(_HASH_RE.findall(line)))
    return entries


def stale_reason(requirements_text: str, lock_text: str | None) -> str | None:
    """Why a lock no longer describes its requirements.txt, or None when it does."""
    if lock_text is None:
        return f"no {LOCK_FILE}"
    header = read_header(lock_text)
    if header is None:
        return f"{LOCK_FILE} has no `# ytc-lock:` line (not made by `ytc-release lock`)"
    if header.digest != requirements_digest(requirements_text):
        return f"{REQUIREMENTS_FILE} changed since {LOCK_FILE} was compiled"
    return None


def hash_problems(locked: Locked | None, served: dict[str, str]) -> list[str]:
    """Compare a locked private requirement with the files the index serves for its version
    (filename -> sha256). Every served file must be allowed by the lock and every allowed
    hash must be served: anything else is a swapped, extra or removed file."""
    if locked is None:
        return []
    allowed = set(locked.hashes)
    problems = [
        f"the index serves {name} (sha256 {sha}) for {locked.name}=={locked.version}, which the lock does not allow"
        for name, sha in sorted(served.items())
        if sha not in allowed
    ]
    missing = allowed - set(served.values())
    if missing:
        problems.append(
            f"the lock allows {len(missing)} hash(es) for {locked.name}=={locked.version} that the index does not serve"
        )
    return problems


def uv_binary() -> str:
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise LockError("uv is not installed", "run `make venv` (uv comes with the workspace's tooling)") from None
        return found


def compile_lock(
    service_dir: Path,
    target: IndexTarget,
    python: str,
    *,
    requirements_text: str | None = None,
    upgrade_packages: tuple[str, ...] = (),
    upgrade: bool = False,
) -> str:
    """The lock for ``service_dir`` as text (nothing is written there). Pins already in its
    lock are kept as preferences, so a refresh moves only what must move.
    ``requirements_text`` resolves a requirements.txt that is not written yet (a release's new pin)."""
    text = requirements_text if requirements_text is not None else (service_dir / REQUIREMENTS_FILE).read_text()
    with tempfile.TemporaryDirectory(prefix="ytc-lock-") as tmp:
        work = Path(tmp)
        (work / REQUIREMENTS_FILE).write_text(text, encoding="utf-8")
        existing = service_dir / LOCK_FILE
        if existing.is_file() and not upgrade:
            shutil.copyfile(existing, work / LOCK_FILE)
        argv = [
            uv_binary(),
            "pip",
            "compile",
            "--quiet",
            "--generate-hashes",
            "--no-header",
            "--python-version",
            python,
            "--python-platform",
            "linux",
            REQUIREMENTS_FILE,
            "--output-file",
            LOCK_FILE,
        ]
        argv += ["--upgrade"] if upgrade else [f"--upgrade-package={p}" for p in upgrade_packages]
        if (service_dir / CONSTRAINTS_FILE).is_file():  # the versions the service's own pip step was held to
            shutil.copyfile(service_dir / CONSTRAINTS_FILE, work / CONSTRAINTS_FILE)
            argv += ["--constraint", CONSTRAINTS_FILE]
        env = clean_pip_env()
        # The index (with its credentials) reaches uv through the environment, never argv.
        env.update(UV_DEFAULT_INDEX=target.simple_url_with_credentials(), UV_NO_CONFIG="1", UV_PYTHON_DOWNLOADS="never")
        env.pop("UV_INDEX_URL", None)
        env.pop("UV_EXTRA_INDEX_URL", None)
        run_checked(argv, cwd=work, env=env, timeout=600, error=LockError, what=f"uv could not lock {service_dir.name}")
        body = (work / LOCK_FILE).read_text(encoding="utf-8")
    return render_header(python, text) + body


def lock_python(service_dir: Path, fallback: str | None = None) -> str:
    """The Python to resolve for: the one the service's Dockerfile (at its top or in docker/) runs, an
    interpreter it installs explicitly (`python3.11` on a CUDA image) or its (last) base image's; else
    ``fallback`` (YTC_LOCK_PYTHON, from the settings)."""
    path = main_dockerfile(service_dir) or service_dir / "Dockerfile"
    instructions = dockerfile.parse_file(path)
    images = dockerfile.base_images(instructions)
    image = images[-1][1] if images else ""
    version = dockerfile.image_python(instructions)
    if version is None or version == dockerfile.UNSPECIFIED_PYTHON:
        if fallback:
            return fallback
        raise LockError(
            f"{path}: cannot tell which Python the base image {image!r} runs",
            "base the image on python:3.X (or ubuntu:22.04, debian:bookworm...), or set YTC_LOCK_PYTHON=3.X",
        )
    return f"{version[0]}.{version[1]}"


def atomic_write(path: Path, text: str) -> None:
    """Write beside, then rename (a reader or an interrupted run never sees half a file),
    keeping the file's mode: pins and locks stay as readable as git checked them out."""
    replace_file(path, text.encode("utf-8"), mode=0o644)


def write_lock(service_dir: Path, text: str) -> bool:
    """Write the lock atomically; False when it already says exactly this."""
    path = service_dir / LOCK_FILE
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    atomic_write(path, text)
    return True


def lock_service(
    service_dir: Path, target: IndexTarget, *, upgrade: bool = False, python_fallback: str | None = None
) -> bool:
    """Re-resolve one service's lock against ``target``; True when the file changed."""
    missing = [n for n in (REQUIREMENTS_FILE,) if not (service_dir / n).is_file()]
    missing += [] if main_dockerfile(service_dir) else ["Dockerfile"]
    if missing:
        raise LockError(
            f"{service_dir} is not a service folder: no {' or '.join(missing)}",
            "name folders that hold a Dockerfile and a requirements.txt",
        )
    return write_lock(
        service_dir, compile_lock(service_dir, target, lock_python(service_dir, python_fallback), upgrade=upgrade)
    )


def _shown(path: Path) -> str:
    """docker/Dockerfile for a Dockerfile in a service's docker/ folder, else its name."""
    return f"{path.parent.name}/{path.name}" if path.parent.name == "docker" else path.name


def installs_without_hashes(path: Path) -> list[str]:
    """`pip install -r ...` steps of a Dockerfile that do not demand hashes."""
    found = []
    for instruction in dockerfile.parse_file(path):
        for command in dockerfile.shell_commands(instruction):
            args = dockerfile.pip_install_args(command)
            if args and dockerfile.requirement_files(command) and "--require-hashes" not in args:
                found.append(f"{_shown(path)}:{instruction.start}: pip install without --require-hashes")
    return found


def lock_problems(root: Path, service_dirs: list[Path]) -> list[str]:
    """Offline: each service has a current lock, and its Dockerfile installs with --require-hashes."""
    problems = []
    for service in service_dirs:
        rel = service.relative_to(root).as_posix()
        lock = service / LOCK_FILE
        try:
            reason = stale_reason(
                (service / REQUIREMENTS_FILE).read_text(encoding="utf-8"),
                lock.read_text(encoding="utf-8") if lock.is_file() else None,
            )
            unhashed = installs_without_hashes(main_dockerfile(service) or service / "Dockerfile")
        except (OSError, ValueError) as err:  # unreadable, not UTF-8, not a Dockerfile
            problems.append(f"{rel}: cannot read its requirements, lock or Dockerfile ({err}); fix the file")
            continue
        if reason is not None:
            problems.append(f"{rel}: {reason}; run `ytc-release lock {rel}`")
        problems += [f"{rel}/{p}" for p in unhashed]
    return problems


def served_hash_problems(
    root: Path, service_dirs: list[Path], served_by_version: dict[str, dict[str, str]], distribution: str
) -> list[str]:
    """Online: the library's (``distribution``, normalised) hashes of each lock against the files the index serves,
    given as {version: {filename: sha256}}."""

    problems = []
    for service in service_dirs:
        lock = service / LOCK_FILE
        if not lock.is_file():
            continue
        locked = parse_lock(lock.read_text(encoding="utf-8")).get(distribution)
        if locked is None:
            continue
        rel = lock.relative_to(root).as_posix()
        problems += [f"{rel}: {p}" for p in hash_problems(locked, served_by_version.get(locked.version, {}))]
    return problems
