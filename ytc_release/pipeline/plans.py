"""`release` and `publish`: two configurations of the one pipeline."""

from __future__ import annotations

from ytc_release.pipeline import build, check, pin, preflight, provenance, publish, tests, verify
from ytc_release.pipeline.steps import Step

PREFLIGHT = Step("preflight", "preflight", preflight.from_source)
TESTS = Step("", "tests", tests.step)
BUILD = Step("build", "build", build.step)
CHECK = Step("", "check", check.step)
PUBLISH = Step("publish", "publish", publish.step)
VERIFY = Step("", "verify", verify.step)
PIN = Step("pin", "pin", pin.step)
# The commit built and the state of its tree; after verify: the index's record, the release tag.
SOURCE = Step("source", "source", provenance.source_step)
RECORD = Step("", "provenance", provenance.record_step)

# `make release`: from the source tree to pinned services.
RELEASE = (PREFLIGHT, SOURCE, TESTS, BUILD, CHECK, PUBLISH, VERIFY, RECORD, PIN)
# `--dry-run`: look, change nothing.
DRY_RUN = (PREFLIGHT, SOURCE, TESTS)
# CI's publish job: the files already in dist/, no build, no pins (those move in a pull request).
PUBLISH_BUILT = (Step("preflight", "preflight", preflight.from_dist), SOURCE, CHECK, PUBLISH, VERIFY, RECORD)
