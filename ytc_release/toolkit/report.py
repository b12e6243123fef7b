"""All of the tooling's output goes through a Reporter, which masks secrets:
each step announced with its outcome and duration, details, plain lines."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from ytc_release.toolkit.masking import mask_secrets


class Reporter:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.started = time.monotonic()

    def say(self, text: str) -> None:
        print(mask_secrets(text), file=self.stream, flush=True)

    def reveal(self, text: str) -> None:
        """Unmasked, on purpose: the one place a secret is shown (a generated password, once)."""
        print(text, file=self.stream, flush=True)

    def detail(self, text: str) -> None:
        self.say(f"    {text}")

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.say(f"==> {name} ...")
        t0 = time.monotonic()
        try:
            yield
        except BaseException:
            self.say(f"<== {name}: FAILED after {time.monotonic() - t0:.1f}s")
            raise
        self.say(f"<== {name}: ok ({time.monotonic() - t0:.1f}s)")

    def elapsed(self) -> float:
        return time.monotonic() - self.started
