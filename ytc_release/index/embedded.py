"""The embedded default index: pypiserver (ytc_index) started from this repo's
venv on 127.0.0.1, serving index/packages/, with credentials in index/auth/."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ytc_index.roles import PUBLISHER as PUBLISHER_ROLE
from ytc_index.roles import READER as READER_ROLE
from ytc_release import pypirc
from ytc_release.errors import IndexServerError
from ytc_release.index.accounts import generate_password, role_of, set_role, set_user
from ytc_release.toolkit.ports import port_taken
from ytc_release.toolkit.waiting import wait_until
from ytc_release.toolkit.web import healthy

PUBLISHER = "publisher"
# The download account `make images` puts in the VMs' pip.conf: list and download, never upload.
READER = "vm-reader"
PYPIRC_SECTION = "ytcaption"
HOST = "127.0.0.1"


DEFAULT_PORT = 8080  # YTC_INDEX_PORT overrides it (resolved in ytc_release.settings)


@dataclass(frozen=True)
class EmbeddedIndex:
    home: Path
    port: int = DEFAULT_PORT  # where `up` starts it (a running one keeps its own)
    # YTC_INDEX_OWNED_NAMES for the server `up` starts: the configured library's import packages
    # (`ytcaption-common=common`), which its wheels may hold besides the project's own name.
    owned_names: str = ""

    @property
    def packages(self) -> Path:
        return self.home / "packages"

    @property
    def auth(self) -> Path:
        return self.home / "auth"

    @property
    def htpasswd(self) -> Path:
        return self.auth / "htpasswd"

    @property
    def pypirc(self) -> Path:
        return self.auth / "pypirc"

    @property
    def reader_file(self) -> Path:
        return self.auth / "reader"

    @property
    def pid_file(self) -> Path:
        return self.home / "server.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "server.log"

    # -- credentials ---------------------------------------------------------
    def ensure_credentials(self, port: int) -> None:
        """Create the publisher account and its pypirc on first use (mode 0600)."""
        self.auth.mkdir(parents=True, exist_ok=True)
        os.chmod(self.auth, 0o700)
        if self.htpasswd.is_file() and self.pypirc.is_file():
            self._update_pypirc_url(port)
            _, username, _ = self.credentials()
            # Checkouts from before roles existed: the embedded index's own account publishes.
            if role_of(self.htpasswd, username) != PUBLISHER_ROLE:
                set_role(self.htpasswd, username, PUBLISHER_ROLE)
            return
        password = generate_password()
        set_user(self.htpasswd, PUBLISHER, password, role=PUBLISHER_ROLE)
        self._write_pypirc(port, PUBLISHER, password)

    def _write_pypirc(self, port: int, username: str, password: str) -> None:
        fields = {"repository": f"http://{HOST}:{port}/", "username": username, "password": password}
        pypirc.write_repository(self.pypirc, PYPIRC_SECTION, fields)

    def credentials(self) -> tuple[str, str, str]:
        """(repository URL, username, password) from index/auth/pypirc."""
        try:
            section = pypirc.read_repository(self.pypirc, PYPIRC_SECTION) or {}
            return section["repository"], section["username"], section["password"]
        except (FileNotFoundError, KeyError) as err:
            raise IndexServerError(
                f"{self.pypirc} is missing or lacks [{PYPIRC_SECTION}] repository/username/password",
                f"delete {self.pypirc} and run `ytc-release index up`: a new publisher password is generated",
            ) from err

    def _update_pypirc_url(self, port: int) -> None:
        url, username, password = self.credentials()
        if url != f"http://{HOST}:{port}/":
            self._write_pypirc(port, username, password)

    def reader_credentials(self) -> tuple[str, str]:
        """(user, password) of the embedded index's reader account, created on
        first use; the password is kept in index/auth/reader (mode 0600)."""
        from ytc_release.index.accounts import list_users

        self.auth.mkdir(parents=True, exist_ok=True)
        try:
            user, _, password = self.reader_file.read_text().strip().partition(":")
        except FileNotFoundError:
            user, password = "", ""
        if user != READER or not password or READER not in list_users(self.htpasswd):
            password = generate_password()
            fd = os.open(self.reader_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(f"{READER}:{password}\n")
            set_user(self.htpasswd, READER, password, role=READER_ROLE)
        return READER, password

    # -- process ---------------------------------------------------------------
    def _read_pid(self) -> dict[str, object] | None:
        try:
            return json.loads(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None

    def running(self) -> dict[str, object] | None:
        """The pid record of a live server, cleaning up a stale pid file."""
        record = self._read_pid()
        if record is None:
            if self.pid_file.exists():
                self.pid_file.unlink()
            return None
        if not _alive(int(record["pid"])):  # type: ignore[arg-type]
            self.pid_file.unlink(missing_ok=True)
            return None
        return record

    def url(self) -> str | None:
        record = self.running()
        return str(record["url"]) if record else None

    def up(self, port: int | None = None) -> tuple[str, bool]:
        """Start the server unless it runs; returns (url, started_now)."""
        port = port or self.port
        record = self.running()
        if record is not None:
            url = str(record["url"])
            if _healthy_within(url, seconds=5):  # it may still be starting
                self.ensure_credentials(int(record["port"]))  # type: ignore[arg-type]
                return url, False
            raise IndexServerError(
                f"the embedded index (pid {record['pid']}) runs but {url}health does not answer",
                "run `make index-down` then `ytc-release index up`; see index/server.log",
            )
        if port_taken(port):
            raise IndexServerError(
                f"port {port} on {HOST} is already taken by another program",
                f"stop that program or choose another port, e.g. `YTC_INDEX_PORT={port + 1} ytc-release index up`",
            )
        self.ensure_credentials(port)
        self.packages.mkdir(parents=True, exist_ok=True)
        url = f"http://{HOST}:{port}/"
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ytc_index",
                    "--host",
                    HOST,
                    "--port",
                    str(port),
                    "--packages",
                    str(self.packages),
                    "--htpasswd",
                    str(self.htpasswd),
                ],
                env={**os.environ, "YTC_INDEX_OWNED_NAMES": self.owned_names} if self.owned_names else None,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # survives the shell that ran `ytc-release index up`
            )
        self.pid_file.write_text(json.dumps({"pid": proc.pid, "port": port, "url": url}))

        def alive() -> None:
            if proc.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise IndexServerError(
                    f"the embedded index exited at start (code {proc.returncode}):\n{_log_tail(self.log_file)}"
                )

        if wait_until(lambda: healthy(url), timeout=30, interval=0.1, alive=alive):
            return url, True
        self.down()
        raise IndexServerError(f"the embedded index did not answer {url}health within 30s")

    def down(self) -> bool:
        """Stop the server; False when it was not running."""
        record = self.running()
        if record is None:
            return False
        pid = int(record["pid"])  # type: ignore[arg-type]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        wait_until(lambda: not _alive(pid), timeout=15, interval=0.1)
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def file_count(self) -> int:
        if not self.packages.is_dir():
            return 0
        return sum(1 for p in self.packages.rglob("*") if p.is_file() and not p.name.startswith("."))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child of ours counts as gone.
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        return waited == 0
    except ChildProcessError:
        return True


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join("    " + line for line in path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "    (no log)"


def _healthy_within(url: str, seconds: float) -> bool:
    return bool(wait_until(lambda: healthy(url), timeout=seconds))
