"""`ytc-release publish`: publish files that were already built (CI's publish
job downloads them as an artifact and never rebuilds), then verify."""

from __future__ import annotations

from ytc_release.index import client as index_client
from ytc_release.paths import Layout
from ytc_release.pipeline import check as checking
from ytc_release.pipeline.build import find_artifacts
from ytc_release.pipeline.release import Outcome, choose_target, files_of_version, publish_step, summary, verify_step
from ytc_release.toolkit.report import Reporter
from ytc_release.version import read_version


def publish_built(lay: Layout, report: Reporter, *, repository: str | None = None, version: str | None = None) -> None:
    version = version or read_version(lay.version_file)
    with report.step("preflight"):
        artifacts = find_artifacts(lay.dist, version)
        for a in artifacts:
            report.detail(f"{a.sha256}  dist/{a.name}")
        target = choose_target(lay, report, repository, start=True)
        assert target is not None
        index_client.check_reachable_and_credentials(target)
        report.detail(f"index {target.describe()} reachable, credentials accepted")
        published = files_of_version(target, version)
    with report.step("check"):
        checking.check_artifacts(artifacts, version, lay.common)
    outcome = Outcome(version, target.describe(), artifacts=artifacts)
    publish_step(report, target, artifacts, published, version, outcome)
    verify_step(report, target, artifacts, version)
    summary(report, outcome)
    report.say("")
    report.say("next: move the services' pins in a pull request (CI never pushes to main):")
    report.detail(f"git switch -c pin-ytcaption-common-{version}")
    report.detail("make release        # the version is on the index: a no-op publish, then verify and pin")
    report.detail(f'git commit -am "Pin ytcaption-common {version}" && git push -u origin HEAD   # open the PR')
