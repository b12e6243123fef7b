"""Which index and which credentials a target hands to each tool."""

from __future__ import annotations

from pathlib import Path

import pytest

from ytc_release.errors import ConfigurationError
from ytc_release.index.client import twine_upload_command
from ytc_release.target import IndexTarget, NamedPath, checked_bundle


def test_credentials_written_into_the_upload_url_never_reach_argv() -> None:
    target = IndexTarget("https://ci:secret1234@idx.example/", "ci", "secret1234", "TWINE_REPOSITORY_URL")
    assert target.upload_url == "https://idx.example/"
    assert "secret1234" not in " ".join(twine_upload_command(target.upload_url))
    assert target.simple_url_with_credentials() == "https://ci:secret1234@idx.example/simple/"


@pytest.mark.parametrize(
    ("upload", "simple"),
    [
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/simple/"),
        ("https://idx.example/legacy/", "https://idx.example/simple/"),
        ("https://idx.example/pypi", "https://idx.example/pypi/simple/"),
    ],
)
def test_simple_url_beside_the_upload_url(upload: str, simple: str) -> None:
    assert IndexTarget(upload, "u", "p", "x").simple_url == simple


def test_pip_index_url_and_its_credentials_win_for_installs() -> None:
    pip_index_url = "https://deploy-reader:r%40d@idx.example/simple"
    target = IndexTarget("https://idx.example/", "publisher", "pub", "x", pip_index_url=pip_index_url)
    assert target.simple_url == "https://idx.example/simple/"
    assert target.simple_auth == ("deploy-reader", "r@d")
    assert target.auth == ("publisher", "pub")  # uploads keep the publisher


def test_a_target_with_explicit_credentials_ignores_pip_index_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "https://other:pw@elsewhere.example/simple/")  # never read by a target
    reader = IndexTarget("http://127.0.0.1:9/", "vm-reader", "rpw", "reader")
    assert reader.simple_url_with_credentials() == "http://vm-reader:rpw@127.0.0.1:9/simple/"


def test_a_ca_bundle_that_is_not_a_file_is_a_clear_error(tmp_path: Path) -> None:
    assert checked_bundle(None) is None
    with pytest.raises(ConfigurationError, match=r"--cert / TWINE_CERT names .*missing.pem, which is not a file"):
        checked_bundle(NamedPath(str(tmp_path / "missing.pem"), "--cert / TWINE_CERT"))
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert checked_bundle(NamedPath(str(bundle), "PIP_CERT")) == str(bundle)
