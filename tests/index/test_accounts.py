"""Index accounts through `ytc-release index ...` against a live index."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.index.test_index_http import upload_form
from tests.support.cli import run_cli
from tests.support.index import LiveIndex, make_wheel, twine_upload
from ytc_release.index.client import project_files
from ytc_release.toolkit import web as http


def ytc(live: LiveIndex, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("index", *args, "--htpasswd", str(live.index.htpasswd), stdin=stdin)


def test_add_list_remove_a_user_takes_effect_without_a_restart(live_index: LiveIndex, tmp_path: Path) -> None:
    added = ytc(live_index, "add-user", "ci-bot", "--role", "publisher")
    assert added.returncode == 0
    password = added.stdout.rsplit(": ", 1)[1].strip()
    assert len(password) >= 24 and "shown once" in added.stdout
    assert ytc(live_index, "list-users").stdout.splitlines() == ["ci-bot\tpublisher", "publisher\tpublisher"]
    assert twine_upload(live_index.url, [make_wheel(tmp_path / "a")], "ci-bot", password).returncode == 0

    assert ytc(live_index, "remove-user", "ci-bot").returncode == 0
    refused = twine_upload(live_index.url, [make_wheel(tmp_path / "b", version="1.0.1")], "ci-bot", password)
    assert refused.returncode != 0 and "403" in refused.stdout + refused.stderr


def test_password_from_stdin_is_never_echoed(live_index: LiveIndex, tmp_path: Path) -> None:
    result = ytc(
        live_index, "add-user", "ci", "--role", "publisher", "--password-stdin", stdin="a-chosen-password-123\n"
    )
    assert result.returncode == 0 and "a-chosen-password-123" not in result.stdout + result.stderr
    assert twine_upload(live_index.url, [make_wheel(tmp_path)], "ci", "a-chosen-password-123").returncode == 0


def test_a_reader_downloads_but_its_upload_is_refused_naming_the_role(live_index: LiveIndex, tmp_path: Path) -> None:
    added = ytc(live_index, "add-user", "vm-reader", "--password-stdin", stdin="reader-password-12345\n")
    assert added.returncode == 0 and "(reader)" in added.stdout  # reader is the default
    assert "vm-reader\treader" in ytc(live_index, "list-users").stdout
    user, password = live_index.credentials
    wheel = make_wheel(tmp_path / "a")
    assert twine_upload(live_index.url, [wheel], user, password).returncode == 0

    refused = twine_upload(
        live_index.url, [make_wheel(tmp_path / "b", version="1.0.1")], "vm-reader", "reader-password-12345"
    )
    assert refused.returncode != 0 and "403" in refused.stdout + refused.stderr
    body, headers = upload_form(make_wheel(tmp_path / "c", version="1.0.2"))
    raw = http.request("POST", live_index.url, data=body, headers=headers, auth=("vm-reader", "reader-password-12345"))
    assert raw.status == 403 and "role 'reader'" in raw.text and "set-role" in raw.text
    assert [f.filename for f in project_files(live_index.target, "ytcaption-common")] == [wheel.name]
    download = http.get(live_index.url + "packages/" + wheel.name, auth=("vm-reader", "reader-password-12345"))
    assert download.status == 200 and download.body == wheel.read_bytes()

    promoted = ytc(live_index, "set-role", "vm-reader", "publisher")
    assert promoted.returncode == 0  # takes effect without a restart
    again = twine_upload(
        live_index.url, [make_wheel(tmp_path / "d", version="1.0.3")], "vm-reader", "reader-password-12345"
    )
    assert again.returncode == 0, again.stdout + again.stderr


def test_bad_account_input_is_a_clear_error(live_index: LiveIndex) -> None:
    missing = ytc(live_index, "remove-user", "nobody")
    assert missing.returncode == 1 and "there is no user 'nobody'" in missing.stderr
    assert "list-users" in missing.stderr
    short = ytc(live_index, "add-user", "x", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "shorter than 12" in short.stderr
    colon = ytc(live_index, "add-user", "a:b")
    assert colon.returncode == 1 and "invalid user name" in colon.stderr
    assert ytc(live_index, "list-users").stdout.split() == ["publisher", "publisher"]
    role = ytc(live_index, "add-user", "y", "--role", "admin")
    assert role.returncode == 2 and "invalid choice" in role.stderr


def test_the_embedded_reader_account_downloads_and_cannot_upload(live_index: LiveIndex, tmp_path: Path) -> None:
    """What `make images` writes into the VMs' pip.conf."""
    user, password = live_index.index.reader_credentials()
    assert live_index.index.reader_credentials() == (user, password)  # created once, then reused
    assert oct(live_index.index.reader_file.stat().st_mode & 0o777) == "0o600"
    assert f"{user}\treader" in ytc(live_index, "list-users").stdout
    publisher, publisher_password = live_index.credentials
    wheel = make_wheel(tmp_path)
    assert twine_upload(live_index.url, [wheel], publisher, publisher_password).returncode == 0
    assert http.get(live_index.url + "packages/" + wheel.name, auth=(user, password)).body == wheel.read_bytes()
    refused = twine_upload(live_index.url, [make_wheel(tmp_path / "b", version="1.0.1")], user, password)
    assert refused.returncode != 0 and "403" in refused.stdout + refused.stderr


def ytc_file(htpasswd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ytc_release.cli", "index", *args, "--htpasswd", str(htpasswd)],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_resetting_a_password_keeps_the_role_and_prints_the_saved_one(tmp_path: Path) -> None:
    htpasswd = tmp_path / "htpasswd"
    added = ytc_file(
        htpasswd, "add-user", "ci", "--role", "publisher", "--password-stdin", stdin="first-password-123\n"
    )
    assert added.returncode == 0 and "(publisher)" in added.stdout, added.stderr
    reset = ytc_file(htpasswd, "add-user", "ci", "--password-stdin", stdin="second-password-123\n")
    assert reset.returncode == 0 and "user ci (publisher) set" in reset.stdout, reset.stdout + reset.stderr
    assert ytc_file(htpasswd, "list-users").stdout.splitlines() == ["ci\tpublisher"]
    generated = ytc_file(htpasswd, "add-user", "ci")  # a generated password keeps the role too
    assert generated.returncode == 0 and "user ci (publisher) password reset" in generated.stdout
    assert ytc_file(htpasswd, "list-users").stdout.splitlines() == ["ci\tpublisher"]


def test_a_new_account_is_a_reader_and_an_explicit_role_is_applied(tmp_path: Path) -> None:
    htpasswd = tmp_path / "htpasswd"
    added = ytc_file(htpasswd, "add-user", "vm", "--password-stdin", stdin="reader-password-123\n")
    assert added.returncode == 0 and "user vm (reader) set" in added.stdout
    demoted = ytc_file(htpasswd, "add-user", "ci", "--role", "publisher", "--password-stdin", stdin="p-password-1234\n")
    assert demoted.returncode == 0
    again = ytc_file(htpasswd, "add-user", "ci", "--role", "reader", "--password-stdin", stdin="p-password-5678\n")
    assert again.returncode == 0 and "user ci (reader) set" in again.stdout
    assert ytc_file(htpasswd, "list-users").stdout.splitlines() == ["ci\treader", "vm\treader"]
