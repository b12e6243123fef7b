"""`release` and `publish`: two configurations of the one pipeline."""

from __future__ import annotations

from ytc_release.pipeline import build, check, pin, preflight, publish, tests, verify
from ytc_release.pipeline.steps import Step

PREFLIGHT = Step("preflight", "preflight", preflight.from_source)
TESTS = Step("", "tests", tests.step)
BUILD = Step("build", "build", build.step)
CHECK = Step("", "check", check.step)
PUBLISH = Step("publish", "publish", publish.step)
VERIFY = Step("", "verify", verify.step)
PIN = Step("pin", "pin", pin.step)

# `make release`: from the source tree to pinned services.
RELEASE = (PREFLIGHT, TESTS, BUILD, CHECK, PUBLISH, VERIFY, PIN)
# `--dry-run`: look, change nothing.
DRY_RUN = (PREFLIGHT, TESTS)
# CI's publish job: the files already in dist/, no build, no pins (those move in a pull request).
PUBLISH_BUILT = (Step("preflight", "preflight", preflight.from_dist), CHECK, PUBLISH, VERIFY)
