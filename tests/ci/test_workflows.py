"""The CI workflows: linted by real tools, the publish job's own steps run
against a live index, and the guards fail clearly."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.index import LiveIndex
from tests.support.versions import V_PATCH, V
from tests.support.workspace import make_workspace
from ytc_release.checks.workflow_lint import lint_workflows
from ytc_release.index.client import project_files
from ytc_release.pipeline.build import sha256_of
from ytc_release.target import embedded_target

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
VENV = Path(__file__).resolve().parents[2] / ".venv"


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def test_workflows_are_clean_under_actionlint_zizmor_and_the_schema(repo_root: Path) -> None:
    assert lint_workflows(repo_root) == []


def test_the_linters_are_real(tmp_path: Path) -> None:
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    (wf / "bad.yml").write_text(
        "on: issues\njobs:\n  a:\n    runs-on: ubuntu-22.04\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: echo ${{ github.event.issue.title }}\n"
    )
    problems = "\n".join(lint_workflows(tmp_path))
    assert "actionlint:" in problems and "potentially untrusted" in problems
    assert "zizmor:" in problems and "template-injection" in problems


def test_workflow_promises() -> None:
    ci, publish, provenance = load("ci.yml"), load("publish.yml"), load("provenance.yml")
    assert ci["permissions"] == {} and publish["permissions"] == {} and provenance["permissions"] == {}
    assert publish["concurrency"]["cancel-in-progress"] is False
    assert publish["jobs"]["publish"]["environment"] == "ytcaption-index"
    assert publish["jobs"]["publish"]["needs"] == "build"
    # After each publish, and every week, the published files are rebuilt from their recorded commit.
    assert publish["jobs"]["provenance"]["needs"] == "publish"
    assert [s["run"] for s in publish["jobs"]["provenance"]["steps"] if "run" in s] == ["make provenance"]
    assert provenance[True]["schedule"] and provenance["jobs"]["provenance"]["environment"] == "ytcaption-index"
    assert [s["run"] for s in provenance["jobs"]["provenance"]["steps"] if "run" in s] == ["make provenance-all"]
    for workflow in (ci, publish, provenance):
        for job in workflow["jobs"].values():
            checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
            if any("provenance" in s.get("run", "") for s in job["steps"]):
                assert checkout["with"]["fetch-depth"] == 0  # SOURCE_DATE_EPOCH needs the whole history
    for workflow in (ci, publish, provenance):
        for job in workflow["jobs"].values():
            assert job["permissions"] == {"contents": "read"}
            for step in job["steps"]:
                if "uses" in step:
                    assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
                if "run" in step:
                    assert "${{" not in step["run"]  # values reach scripts through env only
                    assert step["run"].startswith(("make ", "sudo apt-get"))
    publish_runs = [s["run"] for s in publish["jobs"]["publish"]["steps"] if "run" in s]
    # Downloads the artifact, never builds; then the pins against the index as a page (artifact "status").
    assert publish_runs == ["make publish", "make status HTML=status/status.html"]


# -- running the publish workflow's own steps ---------------------------------------------------------------


def _expression(expr: str, context: dict[str, str]) -> str:
    for term in (t.strip() for t in expr.split("||")):
        if context.get(term):
            return context[term]
    return ""


def _resolve(value: str, context: dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*(.+?)\s*\}\}", lambda m: _expression(m[1], context), str(value))


def run_job(job: dict, clone: Path, context: dict[str, str], artifacts: Path) -> list[str]:
    """Each step in order: `run:` with bash in the clone (env resolved as Actions would),
    the artifact actions as copies; checkout/setup-python are the clone and the venv."""
    outputs = []
    job_env = {k: _resolve(v, context) for k, v in job.get("env", {}).items()}
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINE_", "YTC_"))}
    for step in job["steps"]:
        uses = step.get("uses", "")
        if uses.startswith("actions/upload-artifact"):
            if step["with"].get("overwrite"):  # a re-run replaces its page
                shutil.rmtree(artifacts / step["with"]["name"], ignore_errors=True)
            shutil.copytree(clone / step["with"]["path"], artifacts / step["with"]["name"])
        elif uses.startswith("actions/download-artifact"):
            shutil.copytree(artifacts / step["with"]["name"], clone / step["with"]["path"])
        elif "run" in step and not step["run"].startswith("sudo apt-get"):  # .ci/run installs those here
            env = {**base_env, **job_env, **{k: _resolve(v, context) for k, v in step.get("env", {}).items()}}
            result = subprocess.run(
                [
                    "bash",
                    "-eo",
                    "pipefail",
                    "-c",
                    f"{step['run']} VENV={VENV}" if step["run"].startswith("make ") else step["run"],
                ],
                cwd=clone,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            outputs.append(result.stdout + result.stderr)
            assert result.returncode == 0, f"step {step.get('name', step['run'])!r} failed:\n{outputs[-1][-3000:]}"
    return outputs


def venv_prerequisites(makefile: Path) -> list[str]:
    """The files `$(STAMP): ...` depends on, with $(LOCK) expanded."""
    text = makefile.read_text()
    lock = re.search(r"^LOCK := (\S+)$", text, re.M)
    rule = re.search(r"^\$\(STAMP\): (.+)$", text, re.M)
    assert lock and rule, "the Makefile's venv rule changed: update venv_prerequisites"
    names = rule.group(1).replace("$(LOCK)", lock.group(1)).split()
    assert all("$" not in n for n in names), names
    return names


def fresh_clone(repo_root: Path, dest: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(repo_root), str(dest)], check=True)
    # The clone uses this checkout's venv: make must see it as up to date, or it would
    # re-install the clone, editable, into this checkout's venv. So every prerequisite of
    # the venv's stamp, read from the Makefile itself, is made older than the stamp.
    for name in venv_prerequisites(dest / "Makefile"):
        os.utime(dest / name, (0, 0))
    return dest


@pytest.mark.slow
def test_publish_workflow_steps_publish_verify_and_rerun_as_a_no_op(
    repo_root: Path, live_index: LiveIndex, tmp_path: Path
) -> None:
    publish = load("publish.yml")
    user, password = live_index.credentials
    context = {
        "github.ref_name": f"common-v{V}",
        "github.ref": f"refs/tags/common-v{V}",
        "secrets.TWINE_REPOSITORY_URL": live_index.url,
        "secrets.TWINE_USERNAME": user,
        "secrets.TWINE_PASSWORD": password,
    }
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    build_out = run_job(publish["jobs"]["build"], fresh_clone(repo_root, tmp_path / "build"), context, artifacts)
    assert any(f"tag common-v{V} matches the source version {V}" in o for o in build_out)

    publish_clone = fresh_clone(repo_root, tmp_path / "publish")  # another machine: only the artifact
    first = "\n".join(run_job(publish["jobs"]["publish"], publish_clone, context, artifacts))
    assert "<== verify: ok" in first and f"uploaded: ytcaption_common-{V}-py3-none-any.whl" in first
    assert "ytc-release release" in first  # the pin bump is the next, documented step
    served = {f.filename: f.sha256 for f in project_files(embedded_target(live_index.index), "ytcaption-common")}
    built = {p.name: sha256_of(p) for p in (artifacts / "dist").iterdir() if p.name != "BUILD-TOOLCHAIN.txt"}
    assert served == built and len(built) == 2
    # The artifact carries what built it; publish never uploads that record.
    assert "hatchling " in (artifacts / "dist" / "BUILD-TOOLCHAIN.txt").read_text()
    assert password not in first
    assert f"{V}</td>" in (artifacts / "status" / "status.html").read_text()  # the page CI attaches

    second_clone = fresh_clone(repo_root, tmp_path / "publish-again")
    second = "\n".join(run_job(publish["jobs"]["publish"], second_clone, context, artifacts))
    assert "nothing uploaded (no-op)" in second

    # The provenance job, on a third machine: the commit the upload recorded, rebuilt, gives the same bytes.
    proven = "\n".join(
        run_job(publish["jobs"]["provenance"], fresh_clone(repo_root, tmp_path / "prov"), context, artifacts)
    )
    assert sorted(re.findall(r"^\s*reproduced\s+(\S+)", proven, re.M)) == sorted(built)
    assert "DIFFERS" not in proven


# -- guards -----------------------------------------------------------------------------------------------


@pytest.fixture
def ws(repo_root: Path, tmp_path: Path):
    return make_workspace(repo_root, tmp_path)


def test_tag_guard_names_both_versions_when_they_differ(ws) -> None:
    result = ws.ytc("guard", "--tag", "common-v9.9.9")
    assert result.returncode == 1
    assert f"the tag says 9.9.9 but the source version is {V}" in result.stderr
    assert ws.ytc("guard", "--tag", f"v{V}").returncode == 1
    assert ws.ytc("guard", "--tag", f"common-v{V}").returncode == 0


def test_change_to_common_src_without_a_bump_fails(ws) -> None:
    base = ws.git("rev-parse", "HEAD").strip()
    models = ws.root / "common/src/ytcaption_common/models/base.py"
    models.write_text(models.read_text() + "\n# a change\n")
    ws.commit_all("change the library")
    result = ws.ytc("guard", "--base", base)
    assert result.returncode == 1
    assert "common/ changed" in result.stderr and f"still {V}" in result.stderr
    assert "ytc-release bump" in result.stderr

    assert ws.ytc("bump", "patch").returncode == 0
    ws.commit_all("bump")
    ok = ws.ytc("guard", "--base", base)
    assert ok.returncode == 0 and f"moved to {V_PATCH}" in ok.stdout


def test_changes_elsewhere_need_no_bump(ws) -> None:
    base = ws.git("rev-parse", "HEAD").strip()
    (ws.root / "README.md").write_text("changed\n")
    ws.commit_all("docs")
    result = ws.ytc("guard", "--base", base)
    assert result.returncode == 0 and "unchanged" in result.stdout
    assert ws.ytc("guard", "--base", "0" * 40).returncode == 0
