"""CI's guards on a small real git repository: a change of the library's folder needs a
higher version and its CHANGELOG entry; a tag must name the source version."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from ytc_release.checks.guards import check_tag, check_version_bumped
from ytc_release.errors import ChangelogError, GuardError
from ytc_release.paths import Layout


def git(root: Path, *args: str) -> str:
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_SYSTEM": "/dev/null", "PATH": "/usr/bin:/bin"}
    ident = ["-c", "user.name=t", "-c", "user.email=t@localhost", "-c", "commit.gpgsign=false"]
    return subprocess.run(
        ["git", *ident, "-C", str(root), *args], check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


def write(lay: Layout, version: str, code: str = "x = 1\n", entries: tuple[str, ...] = ("1.0.0",)) -> None:
    lay.version_file.parent.mkdir(parents=True, exist_ok=True)
    lay.version_file.write_text(f'__version__ = "{version}"\n')
    (lay.version_file.parent / "core.py").write_text(code)
    lay.changelog.write_text("# Changelog\n\n" + "".join(f"## [{v}] - 2026-01-01\n- change\n\n" for v in entries))


def commit(lay: Layout) -> str:
    git(lay.root, "add", "-A")
    git(lay.root, "commit", "-q", "-m", "change")
    return git(lay.root, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Layout, str]:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ytc-release]\nlibrary = "common"\nversion-file = "common/src/ytcaption_common/__init__.py"\n'
        'changelog = "common/CHANGELOG.md"\n'
    )
    (tmp_path / "common" / "src" / "ytcaption_common").mkdir(parents=True)
    (tmp_path / "common" / "src" / "ytcaption_common" / "__init__.py").write_text('__version__ = "1.0.0"\n')
    (tmp_path / "common" / "pyproject.toml").write_text("[project]\nname = 'ytcaption-common'\n")
    lay = Layout(tmp_path)
    git(tmp_path, "init", "-q")
    write(lay, "1.0.0")
    return lay, commit(lay)


def test_unchanged_source_needs_no_bump(repo: tuple[Layout, str]) -> None:
    lay, base = repo
    (lay.root / "README.md").write_text("docs only\n")
    commit(lay)
    assert check_version_bumped(lay, base) == "common/ unchanged: no bump needed"


def test_a_change_without_a_bump_fails(repo: tuple[Layout, str]) -> None:
    lay, base = repo
    write(lay, "1.0.0", code="x = 2\n")
    commit(lay)
    with pytest.raises(
        GuardError, match=r"changed \(common/src/ytcaption_common/core.py\) but the version is still 1.0.0"
    ):
        check_version_bumped(lay, base)


def test_a_change_with_a_lower_version_fails(repo: tuple[Layout, str]) -> None:
    lay, base = repo
    write(lay, "0.9.0", code="x = 2\n", entries=("1.0.0", "0.9.0"))
    commit(lay)
    with pytest.raises(GuardError, match=r"still 0\.9\.0 \(was 1\.0\.0\)"):
        check_version_bumped(lay, base)


def test_a_bump_without_a_changelog_entry_fails(repo: tuple[Layout, str]) -> None:
    lay, base = repo
    write(lay, "1.0.1", code="x = 2\n")
    commit(lay)
    with pytest.raises(ChangelogError, match=r"no entry for 1\.0\.1"):
        check_version_bumped(lay, base)


def test_a_bump_with_its_entry_passes(repo: tuple[Layout, str]) -> None:
    lay, base = repo
    write(lay, "1.1.0", code="x = 2\n", entries=("1.1.0", "1.0.0"))
    commit(lay)
    assert "moved to 1.1.0" in check_version_bumped(lay, base)


@pytest.mark.parametrize("base", ["", "0000000000000000000000000000000000000000"])
def test_a_new_branch_has_nothing_to_compare(repo: tuple[Layout, str], base: str) -> None:
    assert "nothing to check" in check_version_bumped(repo[0], base)


def test_a_base_missing_from_a_shallow_clone_says_fetch_everything(repo: tuple[Layout, str]) -> None:
    with pytest.raises(GuardError) as err:
        check_version_bumped(repo[0], "1234567890abcdef1234567890abcdef12345678")
    assert "fetch-depth: 0" in err.value.fix


@pytest.mark.parametrize("tag", ["common-v1.0.0", "refs/tags/common-v1.0.0"])
def test_a_tag_naming_the_source_version(repo: tuple[Layout, str], tag: str) -> None:
    assert check_tag(repo[0], tag) == "1.0.0"


@pytest.mark.parametrize(
    ("tag", "problem"),
    [
        ("common-v1.0.1", "the tag says 1.0.1 but the source version is 1.0.0"),
        ("v1.0.0", "not of the form common-vX.Y.Z"),
        ("common-v1.0", "not of the form"),
        ("common-v1.0.0rc1", "not of the form"),
    ],
)
def test_a_wrong_tag_is_named(repo: tuple[Layout, str], tag: str, problem: str) -> None:
    with pytest.raises(GuardError, match=problem):
        check_tag(repo[0], tag)
