"""Against stock pypiserver, which keeps no provenance record: uploads that carry one are still
accepted, the release's provenance step says the index keeps none and goes on, and
`ytc-release provenance` reports every file as without a record (and fails)."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

from bench.servers import wait_until_up
from tests.support.cli import run_cli
from tests.support.net import free_port
from ytc_release.index import client
from ytc_release.paths import Layout
from ytc_release.pipeline.build import build
from ytc_release.pipeline.preflight import Preflight
from ytc_release.pipeline.provenance import record_step
from ytc_release.pipeline.publish import Published
from ytc_release.pipeline.steps import Context, Results
from ytc_release.provenance.source import read_toolchain, source_state, upload_comment
from ytc_release.target import IndexTarget
from ytc_release.toolkit.report import Reporter
from ytc_release.version import read_version


def test_stock_pypiserver_takes_the_record_shows_none_and_the_release_goes_on(repo_root: Path, tmp_path: Path) -> None:
    clone = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", "--no-tags", str(repo_root), str(clone)], check=True)
    lay = Layout(clone)
    artifacts = build(lay.library, lay.dist, clone)
    version = read_version(lay.version_file)
    source = source_state(clone, lay.project.library)

    port = free_port()
    packages = tmp_path / "packages"
    packages.mkdir()
    server = [sys.executable, "-m", "pypiserver", "run", "-i", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(
        [*server, "-a", ".", "-P", ".", "--hash-algo", "sha256", str(packages)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/simple/", proc)
        target = IndexTarget(f"http://127.0.0.1:{port}/", "anyone", "not-checked", "stock pypiserver")
        comment = upload_comment(source, read_toolchain(lay.dist))
        for artifact in artifacts:
            client.upload(target, artifact.path, comment=comment)  # the `comment` field does not bother it
        assert sorted(p.name for p in packages.iterdir()) == sorted(a.name for a in artifacts)

        out = io.StringIO()
        ctx = Context(lay, Reporter(out))
        done = Results(
            preflight=Preflight(version, target, ()),
            source=source,
            build=tuple(artifacts),
            publish=Published(tuple(a.name for a in artifacts), already_published=False),
        )
        record_step(ctx, done)  # says so, does not fail
        assert "keeps no provenance record" in out.getvalue()
        assert f"tagged {source.commit[:12]} as common-v{version}" in out.getvalue()

        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINE_", "YTC_", "PIP_INDEX"))}
        env.update(
            YTC_REPO_ROOT=str(clone),
            TWINE_REPOSITORY_URL=target.upload_url,
            TWINE_USERNAME="anyone",
            TWINE_PASSWORD="not-checked",
            YTC_PROVENANCE_CACHE=str(tmp_path / "cache"),
        )
        checked = run_cli("provenance", version, cwd=clone, env=env)
        assert checked.returncode == 1
        assert "does not keep them, like stock pypiserver" in checked.stdout
        no_record = [line for line in checked.stdout.splitlines() if line.strip().startswith("NO RECORD")]
        assert len(no_record) == 2 and all("keeps no provenance records" in line for line in no_record)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
