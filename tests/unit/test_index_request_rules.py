"""Pure rules of the index (issue 21): PEP 440 release identity, normalised paths,
archive member paths, top-level import names, and the one negotiation table."""

from __future__ import annotations

import pytest

from ytc_index.archives import ArchiveLimits, unsafe_member
from ytc_index.gate import normalised
from ytc_index.names import filename_problem, same_version
from ytc_index.negotiation import HTML, JSON, V1HTML, choose
from ytc_index.settings import IndexSettings


@pytest.mark.parametrize("spelling", ["2", "2.0", "2.0.0.0", "02.0.0", "2.0.0"])
def test_equal_pep440_versions_are_one_release(spelling: str) -> None:
    assert same_version(spelling, "2.0.0")
    assert not same_version(spelling, "2.0.1")


def test_local_versions_are_refused_by_name() -> None:
    assert "local version" in (filename_problem("ytcaption_common-2.0.0+evil2-py3-none-any.whl") or "")
    assert filename_problem("ytcaption_common-2.0.0-py3-none-any.whl") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/simple/../packages/x.whl", "/packages/x.whl"),
        ("//packages/x.whl", "/packages/x.whl"),
        ("/packages/./x.whl", "/packages/x.whl"),
        ("/packages/../simple/p/", "/simple/p/"),
        ("/../../etc/passwd", "/etc/passwd"),
        ("/simple/", "/simple/"),
        ("/", "/"),
    ],
)
def test_paths_are_judged_as_nginx_normalises_them(raw: str, expected: str) -> None:
    assert normalised(raw) == expected


@pytest.mark.parametrize("name", ["../../x", "/tmp/y", "a/../../b", "C:/x", "a\\b", "\\x"])
def test_unsafe_member_paths(name: str) -> None:
    assert unsafe_member(name)


def test_safe_member_paths_and_owned_names() -> None:
    assert not unsafe_member("ytcaption_common/__init__.py")
    limits = ArchiveLimits(owned={"ytcaption-common": ("common",)})
    assert limits.owned_by("YTCaption_Common") == ("common",)
    assert ArchiveLimits().owned_by("ytcaption-common") == ("ytcaption_common",)


def test_owned_names_setting_is_parsed_and_checked() -> None:
    settings = IndexSettings.from_env({"YTC_INDEX_OWNED_NAMES": "ytcaption-common=common:ytcaption_common"})
    assert settings.owned_names == (("ytcaption-common", ("common", "ytcaption_common")),)
    with pytest.raises(ValueError, match="PROJECT=NAME"):
        IndexSettings.from_env({"YTC_INDEX_OWNED_NAMES": "ytcaption-common"})


@pytest.mark.parametrize(
    ("fmt", "accept", "page"),
    [
        ("", None, HTML),
        ("", "*/*;q=0.1, application/vnd.pypi.simple.v1+json;q=0.2", JSON),
        ("", "application/vnd.pypi.simple.v1+json;q=0.2, application/vnd.pypi.simple.v1+html;q=0.9", V1HTML),
        ("", "application/vnd.pypi.simple.v1+json; q=0, text/html", HTML),
        ("", "application/vnd.pypi.simple.v1+json; q=0", None),
        ("", "text/html;level=1", HTML),
        ("", "application/json", None),
        ("application/vnd.pypi.simple.v1%2Bjson", "text/html", JSON),
        ("text/plain", "*/*", None),
    ],
)
def test_one_negotiation_table(fmt: str, accept: str | None, page: str | None) -> None:
    assert choose(fmt, accept) == page
