"""`ytc-release smoke`: prove a service starts from the index.

Per service: install its requirements (the files its Dockerfile's pip step
installs, `-c` constraints included) from the index into a venv cached by the
requirements' hash, ignoring the machine's pip configuration; start the
command of its Dockerfile's CMD on a free loopback port with a real Redis, from
a scratch copy of the folder (no copied common/, nothing written into the
folder); require `GET /health` -> 200. Apps and Redis are always stopped."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ytc_release.errors import SmokeError
from ytc_release.migration.migrate import index_target, show
from ytc_release.services.pins import is_service, main_dockerfile
from ytc_release.toolkit import dockerfile, web
from ytc_release.toolkit.caches import cache_root, cached_dir
from ytc_release.toolkit.ports import LOOPBACK, free_port
from ytc_release.toolkit.redis_server import RedisProcess
from ytc_release.toolkit.report import Reporter
from ytc_release.toolkit.runner import clean_pip_env, run_checked, tail
from ytc_release.toolkit.waiting import wait_until
from ytc_release.toolkit.web import split_credentials

if TYPE_CHECKING:
    from ytc_release.settings import Settings

_SCRATCH_IGNORE = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", "logs"}


def index_url(settings: Settings) -> str:
    """The simple index to install from, credentials included (the target `migrate` uses)."""
    target = index_target(settings)
    if target is not None:
        return target.simple_url_with_credentials()
    if settings.config.pip_index_url:
        return settings.config.pip_index_url
    raise SmokeError(
        "no index to install from: none is configured and the embedded index is not running",
        "run `make index-up` (and `make release`), or set TWINE_REPOSITORY_URL (+ user/password) or PIP_INDEX_URL",
    )


def pip_install_args(folder: Path, instructions: list[dockerfile.Instruction]) -> list[str]:
    """`-r`/`-c` of the Dockerfile's pip step that installs requirements.txt (else its first -r step)."""
    steps = [c for i in instructions for c in dockerfile.shell_commands(i) if dockerfile.requirement_files(c)]
    chosen = next(
        (c for c in steps if any(Path(r).name == "requirements.txt" for r in dockerfile.requirement_files(c))),
        steps[0] if steps else None,
    )
    if chosen is None:
        return ["-r", "requirements.txt"]
    args = []
    for flag, files in (("-r", dockerfile.requirement_files(chosen)), ("-c", dockerfile.constraint_files(chosen))):
        for name in files:
            local = folder / name if not Path(name).is_absolute() else folder / Path(name).name
            if not local.is_file():
                raise SmokeError(
                    f"{show(main_dockerfile(folder) or folder / 'Dockerfile')} installs {name}, which is not in "
                    f"{show(folder)}",
                    f"add {name} to the folder (a requirements.lock comes from `ytc-release lock {show(folder)}`)",
                )
            args += [flag, local.name if local.parent == folder else str(local)]
    return args


_NESTED = re.compile(r"^\s*(-r|--requirement|-c|--constraint)(?:\s+|=|(?<=-[rc]))(\S+)")


def requirements_hash(folder: Path, args: list[str], url: str) -> str:
    """The venv cache key: this Python, the index (without credentials), and the contents of exactly
    the files the pip step installs (its -r and -c files and the ones they name in turn)."""
    digest = hashlib.sha256(f"{sys.version_info[:3]}\0{split_credentials(url)[0]}\0".encode())
    pending = [(flag, folder / name) for flag, name in zip(args[::2], args[1::2], strict=True)]
    seen: set[Path] = set()
    while pending:
        flag, path = pending.pop(0)
        path = path.resolve()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        data = path.read_bytes()
        digest.update(f"{flag} {path}\0".encode() + data + b"\0")
        for line in data.decode("utf-8", "replace").splitlines():
            match = _NESTED.match(line)
            if match:
                pending.append((match.group(1), path.parent / match.group(2)))
    return digest.hexdigest()[:20]


def install(folder: Path, args: list[str], url: str, report: Reporter) -> Path:
    venv = cache_root("smoke", "YTC_SMOKE_CACHE") / requirements_hash(folder, args, url)

    def fill(path: Path) -> None:
        run_checked([sys.executable, "-m", "venv", path], error=SmokeError, what=f"could not create a venv at {path}")
        env = clean_pip_env()  # no config file, no find-links: only this index counts
        env["PIP_INDEX_URL"] = url  # credentials in the environment, never in argv
        report.detail(f"pip install {' '.join(args)} into {show(path)}")
        run_checked(
            [path / "bin" / "python", "-m", "pip", "install", "--quiet", *args],
            cwd=folder,
            env=env,
            error=SmokeError,
            what=f"pip could not install {show(folder)}'s requirements from the index",
        )

    if cached_dir(venv, fill):
        report.detail(f"cached venv {show(venv)} (same requirements)")
    return venv


def _replace_option(argv: list[str], names: tuple[str, ...], value: str) -> list[str]:
    out, skip = [], False
    for word in argv:
        if skip:
            skip = False
            continue
        if word in names:
            skip = True
            continue
        if any(word.startswith(n + "=") for n in names):
            continue
        out.append(word)
    return [*out, names[0], value]


def app_command(instructions: list[dockerfile.Instruction], venv: Path, port: int) -> list[str]:
    argv = dockerfile.command_of(instructions)
    if not argv:
        raise SmokeError("the Dockerfile has no CMD, so there is no app to start", "add a CMD that starts the app")
    names = [Path(w).name for w in argv[:3]]
    if names[:1] == ["uvicorn"] or names[1:3] == ["-m", "uvicorn"]:
        argv = _replace_option(_replace_option(argv, ("--host",), LOOPBACK), ("--port",), str(port))
    elif names[:1] == ["gunicorn"] or names[1:3] == ["-m", "gunicorn"]:
        argv = _replace_option(argv, ("--bind", "-b"), f"{LOOPBACK}:{port}")
    elif len(argv) == 3 and names[0] in {"sh", "bash"} and argv[1] == "-c" and "uvicorn" in argv[2]:
        # CMD ["sh", "-c", "python -m uvicorn app.main:app --host 0.0.0.0 --port ${PORT:-8001}"]
        script = re.sub(r"--host(=|\s+)\S+", f"--host {LOOPBACK}", argv[2])
        argv = [argv[0], "-c", re.sub(r"--port(=|\s+)\S+", f"--port {port}", script)]
    local = venv / "bin" / Path(argv[0]).name
    return [str(local) if local.exists() else argv[0], *argv[1:]]


def scratch_copy(folder: Path, into: Path) -> Path:
    """The service's files as the image holds them: without a copied common/ and local clutter."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        here = Path(directory)
        skipped = {n for n in names if n in _SCRATCH_IGNORE}
        if here in {folder, folder / "app"}:
            skipped |= {n for n in names if n == "common"}
        return skipped

    target = Path(tempfile.mkdtemp(prefix=f"{folder.name}-", dir=into)) / folder.name
    shutil.copytree(folder, target, ignore=ignore, symlinks=True)
    return target


def listening_ports(pid: int) -> set[int]:
    """Loopback/any-address TCP ports the process tree listens on (an app that ignores PORT still gets found)."""
    import psutil

    try:
        procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return set()
    ports = set()
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            ports |= {c.laddr.port for c in proc.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN}
    return ports


def _get(url: str) -> tuple[int | None, str]:
    try:
        resp = web.get(url, timeout=3)
    except OSError:
        return None, ""
    return resp.status, resp.text[:300]


# What the app under test inherits from the caller: nothing else (no TWINE_*, tokens, cloud keys).
_INHERITED = {"PATH", "HOME", "LANG", "LANGUAGE", "TMPDIR"}


def app_env(
    instructions: list[dockerfile.Instruction],
    venv: Path,
    cwd: Path,
    port: int,
    redis_url: str,
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The app's environment from an allow-list: PATH, HOME, LANG/LC_*, TMPDIR of the caller, the
    Dockerfile's ENV, and what smoke sets. The app is untrusted code: secrets stay out."""
    environ = os.environ if environ is None else environ
    env = {k: v for k, v in environ.items() if k in _INHERITED or k.startswith("LC_")}
    env.update({k: v for k, v in dockerfile.env_of(instructions).items() if "$" not in v})
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{environ.get('PATH', os.defpath)}",
        VIRTUAL_ENV=str(venv),
        PYTHONPATH=str(cwd),
        PYTHONUNBUFFERED="1",
        PORT=str(port),
        HOST=LOOPBACK,
        UVICORN_HOST=LOOPBACK,
        UVICORN_PORT=str(port),
        REDIS_URL=redis_url,
        YTC_REDIS_URL=redis_url,
    )
    return env


class App:
    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("wb")
        try:
            self.proc = subprocess.Popen(
                argv, cwd=cwd, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
            )
        except OSError as err:  # CMD binary missing or not executable
            self._out.close()
            raise SmokeError(
                f"start the app: could not run `{' '.join(argv)}` in {cwd}: {err.strerror or err}",
                "make the Dockerfile's CMD name a program its requirements install (or one on PATH)"
                " that is executable, then run `ytc-release smoke DIR` again",
            ) from None

    def log_tail(self) -> str:
        self._out.flush()
        return tail(self.log.read_text(encoding="utf-8", errors="replace"), 30)

    def wait_healthy(self, port: int, timeout: float, report: Reporter) -> str:
        last: tuple[int | None, str] = (None, "")
        probed = {port}

        def alive() -> None:
            if self.proc.poll() is not None:
                raise SmokeError(
                    f"the app exited with code {self.proc.returncode} before answering:\n{self.log_tail()}"
                )

        def probe() -> str | None:
            nonlocal last
            for candidate in sorted(probed):
                last = _get(f"http://{LOOPBACK}:{candidate}/health")
                if last[0] == 200:
                    return f"GET http://{LOOPBACK}:{candidate}/health -> 200 {last[1][:200]}"
            others = listening_ports(self.proc.pid) - probed
            if others:
                report.detail(
                    f"the app listens on {sorted(others)}, not only on the port it was given ({port}): probing"
                )
                probed.update(others)
            return None

        found = wait_until(probe, timeout=timeout, interval=0.3, alive=alive)
        if found:
            return found
        answered = f"last answer: {last[0]} {last[1][:200]}" if last[0] is not None else "nothing answered"
        raise SmokeError(f"no 200 from GET /health within {timeout:.0f}s ({answered}):\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._out.close()


def smoke_one(folder: Path, url: str, redis_url: str, workdir: Path, report: Reporter, timeout: float) -> None:
    path = main_dockerfile(folder) or folder / "Dockerfile"  # at the top, or docker/Dockerfile
    instructions = dockerfile.parse_file(path)
    with report.step(f"{show(folder)}: install requirements from the index"):
        venv = install(folder, pip_install_args(folder, instructions), url, report)
    port = free_port()
    cwd = scratch_copy(folder, workdir)
    for created in dockerfile.created_dirs(instructions):  # `RUN mkdir -p /app/logs`: the app may expect it
        (cwd / created).mkdir(parents=True, exist_ok=True)
    argv = app_command(instructions, venv, port)
    env = app_env(instructions, venv, cwd, port, redis_url)
    app: App | None = None
    try:
        with report.step(f"{show(folder)}: start `{' '.join(argv)}` on {LOOPBACK}:{port}"):
            app = App(argv, cwd, env, workdir / f"{folder.name}.log")
        with report.step(f"{show(folder)}: GET /health"):
            report.detail(app.wait_healthy(port, timeout, report))
    finally:
        if app is not None:
            app.stop()


def smoke(folders: list[Path], settings: Settings, *, timeout: float = 60.0) -> int:
    for folder in folders:
        if not is_service(folder):
            raise SmokeError(
                f"{show(folder)} is not a service folder (it needs a Dockerfile and a requirements.txt)",
                "pass the folder that holds the service's Dockerfile and requirements.txt",
            )
    report = settings.report
    url = index_url(settings)
    failed = []
    with tempfile.TemporaryDirectory(prefix="ytc-smoke-") as tmp:
        redis = RedisProcess(Path(tmp) / "redis")
        try:
            with report.step(f"start redis-server on {LOOPBACK}:{redis.port}"):
                redis.start()
            for folder in folders:
                try:
                    smoke_one(folder.resolve(), url, redis.url, Path(tmp), report, timeout)
                except SmokeError as err:
                    failed.append(show(folder))
                    report.detail(err.problem)
        finally:
            redis.stop()
    if failed:
        raise SmokeError(f"smoke failed for {', '.join(failed)} (the failed step and its log are above)")
    report.say(f"smoke ok: {', '.join(show(f) for f in folders)} answered GET /health with 200")
    return 0
