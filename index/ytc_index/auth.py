"""Logins: bcrypt (passlib htpasswd) at most once per credential, and a
per-client brake on failures, so that guessing cannot starve reads.

- a verified (user, sha256(password)) pair is remembered for `VERIFIED_TTL`
  seconds (never the password itself) until the htpasswd file changes;
- a failed pair is remembered too: repeating it costs no bcrypt;
- a client (address) with `max_failures` failures within `failure_window`
  seconds gets 429 for new credentials until the window passes, without any
  bcrypt; credentials already verified keep working (a proxy in front may
  show every client as one address);
- one bcrypt check runs at a time (`BCRYPT_SLOTS`), and at most `max_waiting`
  distinct credentials wait for it (429 beyond; requests with a credential
  already being checked share that check): the other server threads and a
  core stay free for reads;
- an unknown user name costs the same bcrypt check as a known one (against
  another account's hash), so timing does not tell which names exist."""

from __future__ import annotations

import enum
import hashlib
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from passlib.apache import HtpasswdFile

from ytc_index.roles import RoleFile, roles_path

VERIFIED_TTL = 300.0
FAILED_TTL = 60.0
BCRYPT_SLOTS = 1
BCRYPT_WAIT = 5.0


class Verdict(enum.Enum):
    OK = "ok"
    BAD = "bad"
    THROTTLED = "throttled"


class Authenticator:
    def __init__(self, htpasswd: Path, max_failures: int, failure_window: float, max_waiting: int = 4) -> None:
        self.users = HtpasswdFile(str(htpasswd))
        self.roles = RoleFile(roles_path(htpasswd))
        self.max_failures = max_failures
        self.failure_window = failure_window
        self._lock = threading.Lock()
        self._verified: dict[tuple[str, str], float] = {}
        self._failed: dict[tuple[str, str], float] = {}
        self._failures: dict[str, deque[float]] = {}
        self._bcrypt = threading.BoundedSemaphore(BCRYPT_SLOTS)
        self.max_waiting = max_waiting
        self._waiting = 0
        self._inflight: dict[tuple[str, str], threading.Event] = {}
        self._dummy: str | None = None  # a hash of a random password, for an empty accounts file

    def retry_after(self, client: str) -> int:
        with self._lock:
            recent = self._failures.get(client)
            if not recent:
                return 1
            return max(1, int(recent[0] + self.failure_window - time.monotonic()) + 1)

    def check(self, client: str, user: str, password: str) -> Verdict:
        key = (user, hashlib.sha256(password.encode()).hexdigest())
        now = time.monotonic()
        with self._lock:
            if self.users.load_if_changed():
                self._verified.clear()
                self._failed.clear()
            cached = self._cached(key, client, now)
            if cached is not None:
                return cached
            if self._throttled(client, now):
                return Verdict.THROTTLED
            pending = self._inflight.get(key)
            if pending is None:
                if self._waiting >= self.max_waiting:
                    return Verdict.THROTTLED
                self._waiting += 1
                pending = self._inflight[key] = threading.Event()
                owner = True
            else:
                owner = False
        if not owner:  # the same credential is being checked right now: share that one bcrypt
            pending.wait(BCRYPT_WAIT + 1)
            with self._lock:
                return self._cached(key, client, time.monotonic()) or Verdict.THROTTLED
        try:
            return self._verify(key, client, user, password)
        finally:
            with self._lock:
                self._waiting -= 1
                del self._inflight[key]
            pending.set()

    def _cached(self, key: tuple[str, str], client: str, now: float) -> Verdict | None:
        if self._verified.get(key, 0.0) > now:
            return Verdict.OK
        if self._failed.get(key, 0.0) > now:
            self._count_failure(client, now)
            return Verdict.BAD
        return None

    def _verify(self, key: tuple[str, str], client: str, user: str, password: str) -> Verdict:
        if not self._bcrypt.acquire(timeout=BCRYPT_WAIT):
            return Verdict.THROTTLED
        try:
            with self._lock:  # failures counted while this one waited for the slot
                if self._throttled(client, time.monotonic()):
                    return Verdict.THROTTLED
            ok = self._check_password(user, password)
        finally:
            self._bcrypt.release()
        now = time.monotonic()
        with self._lock:
            if ok:
                self._verified[key] = now + VERIFIED_TTL
                return Verdict.OK
            self._failed[key] = now + FAILED_TTL
            self._count_failure(client, now)
            if len(self._failed) > 10_000:  # bounded memory under a flood of guesses
                self._failed.clear()
            return Verdict.BAD

    def _check_password(self, user: str, password: str) -> bool:
        """bcrypt, also for an unknown user: the password is then checked against another
        account's hash (same algorithm, same cost) and the answer is always no, so a wrong
        password takes as long whether the name exists or not."""
        if self.users.get_hash(user) is not None:
            return bool(self.users.check_password(user, password))
        stand_in = next(iter(self.users.users()), None)
        if stand_in is not None:
            self.users.check_password(stand_in, password)
        else:  # no accounts at all: a hash of a random password
            if self._dummy is None:
                self._dummy = self.users.context.hash(secrets.token_urlsafe(16))
            self.users.context.verify(password, self._dummy)
        return False

    def allowed(self, user: str, password: str) -> bool:
        """pypiserver's `auther`: the gate has already checked this request."""
        return self.check("pypiserver", user, password) is Verdict.OK

    def role_of(self, user: str) -> str:
        return self.roles.role_of(user)

    def _recent(self, client: str, now: float) -> deque[float]:
        recent = self._failures.setdefault(client, deque())
        while recent and recent[0] <= now - self.failure_window:
            recent.popleft()
        return recent

    def _throttled(self, client: str, now: float) -> bool:
        return len(self._recent(client, now)) >= self.max_failures

    def _count_failure(self, client: str, now: float) -> None:
        recent = self._recent(client, now)
        recent.append(now)
        if len(self._failures) > 10_000:
            self._failures = {c: d for c, d in self._failures.items() if d}
