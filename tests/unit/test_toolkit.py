"""The toolkit: masking, the subprocess runner, waiting, the HTTP client's pure parts."""

from __future__ import annotations

import io
import itertools
import sys

import pytest

from ytc_release.errors import BuildError, ReleaseError
from ytc_release.toolkit.masking import mask_secrets, mask_url, register_secret
from ytc_release.toolkit.report import Reporter
from ytc_release.toolkit.runner import run_checked, tail
from ytc_release.toolkit.waiting import wait_until
from ytc_release.toolkit.web import split_credentials


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("https://ci:s3cret@idx.example/simple/", "https://ci:***@idx.example/simple/"),
        (
            "pip: http://u:p@127.0.0.1:8080/ and https://v:q@h/",
            "pip: http://u:***@127.0.0.1:8080/ and https://v:***@h/",
        ),
        ("https://idx.example/simple/", "https://idx.example/simple/"),
        ("https://user@idx.example/", "https://user@idx.example/"),  # no password, nothing to hide
        ("git+ssh://git:tok3n@host/repo", "git+ssh://git:***@host/repo"),
        ("user:pw@host without a scheme", "user:pw@host without a scheme"),
    ],
)
def test_mask_secrets_in_urls(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked


def test_registered_secrets_are_masked_anywhere() -> None:
    register_secret("Zq9-registered-pw")
    assert mask_secrets("password Zq9-registered-pw rejected") == "password *** rejected"


@pytest.mark.parametrize("short", ["", "abc", None])
def test_too_short_secrets_are_not_registered(short: str | None) -> None:
    register_secret(short)
    assert mask_secrets("a b c abc") == "a b c abc"


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("https://ci:pw@idx.example:8443/x", "https://ci:***@idx.example:8443/x"),
        ("https://idx.example/", "https://idx.example/"),
        ("http://a:b:c@h/", "http://a:***@h/"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


@pytest.mark.parametrize(
    ("url", "bare", "credentials"),
    [
        ("https://idx.example/simple/", "https://idx.example/simple/", None),
        ("https://ci:pw@idx.example/simple/", "https://idx.example/simple/", ("ci", "pw")),
        ("https://deploy-reader:r%40d%3A1@idx.example/", "https://idx.example/", ("deploy-reader", "r@d:1")),
        ("http://only-user@127.0.0.1:8080/", "http://127.0.0.1:8080/", ("only-user", "")),
        ("http://u:p@h@idx.example/", "http://idx.example/", ("u", "p@h")),
    ],
)
def test_split_credentials(url: str, bare: str, credentials: tuple[str, str] | None) -> None:
    assert split_credentials(url) == (bare, credentials)


def test_tail_keeps_the_last_lines_indented_and_masked() -> None:
    output = "\n".join(f"line {i}" for i in range(40)) + "\nhttps://u:secret@h/\n"
    shown = tail(output, lines=3).splitlines()
    assert shown == ["    line 38", "    line 39", "    https://u:***@h/"]


def test_run_checked_returns_the_result() -> None:
    result = run_checked([sys.executable, "-c", "print('fine')"], what="never shown")
    assert result.stdout.strip() == "fine"


def test_run_checked_raises_the_given_error_with_a_masked_tail() -> None:
    code = "import sys; print('https://ci:hunter22@idx/'); print('boom', file=sys.stderr); sys.exit(3)"
    with pytest.raises(BuildError) as err:
        run_checked([sys.executable, "-c", code], error=BuildError, what="the build failed", fix="fix it")
    assert err.value.problem.startswith("the build failed:\n")
    assert "hunter22" not in err.value.problem and "https://ci:***@idx/" in err.value.problem
    assert "boom" in err.value.problem
    assert err.value.fix == "fix it"


def test_run_checked_keeps_stderr_apart_when_asked() -> None:
    code = "import sys; print('out'); print('err', file=sys.stderr)"
    result = run_checked([sys.executable, "-c", code], what="x", merge_stderr=False)
    assert (result.stdout, result.stderr) == ("out\n", "err\n")
    with pytest.raises(ReleaseError, match="err"):
        run_checked([sys.executable, "-c", code + "; sys.exit(1)"], what="x", merge_stderr=False)


def test_wait_until_returns_the_first_truthy_answer() -> None:
    answers = iter([None, 0, "", "ready", "later"])
    assert wait_until(lambda: next(answers), timeout=5, interval=0) == "ready"


def test_wait_until_counts_os_errors_as_not_yet() -> None:
    calls = itertools.count()

    def probe() -> bool:
        if next(calls) < 2:
            raise ConnectionRefusedError
        return True

    assert wait_until(probe, timeout=5, interval=0) is True


def test_wait_until_gives_up_with_none() -> None:
    assert wait_until(lambda: False, timeout=0.05, interval=0.01) is None


def test_wait_until_probes_at_least_once_even_with_no_time() -> None:
    assert wait_until(lambda: "at once", timeout=0) == "at once"


def test_wait_until_stops_when_alive_raises() -> None:
    def gone() -> None:
        raise ReleaseError("the process exited")

    with pytest.raises(ReleaseError, match="exited"):
        wait_until(lambda: False, timeout=5, alive=gone)


def test_other_errors_from_the_probe_propagate() -> None:
    def broken() -> bool:
        raise ValueError("a bug, not a wait")

    with pytest.raises(ValueError):
        wait_until(broken, timeout=5)


def test_everything_printed_is_masked_except_a_deliberate_reveal() -> None:
    out = io.StringIO()
    report = Reporter(out)
    register_secret("Kx7-generated-pw")
    report.say("pip.conf index-url = https://reader:rd-pw@idx/simple/ and Kx7-generated-pw")
    report.detail("again Kx7-generated-pw")
    report.reveal("password (shown once): Kx7-generated-pw")
    assert out.getvalue().splitlines() == [
        "pip.conf index-url = https://reader:***@idx/simple/ and ***",
        "    again ***",
        "password (shown once): Kx7-generated-pw",
    ]
