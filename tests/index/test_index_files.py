"""The one append helper and the one atomic replace, as the roles file, the
htpasswd file and the journals use them."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from ytc_index.files import append_json_line, replace_file
from ytc_index.roles import read_roles, roles_path, write_roles
from ytc_release.index.accounts import list_accounts, set_user


def test_a_leftover_at_the_old_fixed_temp_name_does_not_block_a_write(tmp_path: Path) -> None:
    htpasswd = tmp_path / "htpasswd"
    # What a crashed writer (or another writer mid-way) used to hold: one fixed name per file.
    (tmp_path / "htpasswd.tmp").mkdir()
    (tmp_path / "htpasswd.roles.tmp").mkdir()
    set_user(htpasswd, "ci", "a-long-password-1", role="publisher")
    assert list_accounts(htpasswd) == [("ci", "publisher")]


def test_concurrent_writers_never_collide_and_leave_no_temp_files(tmp_path: Path) -> None:
    path = roles_path(tmp_path / "htpasswd")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(40):
                write_roles(path, {f"user{n}": "publisher", f"round{i}": "reader"})
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(read_roles(path)) == 2  # one writer's whole file, never a mix
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_replace_keeps_an_existing_files_mode_and_gives_a_new_one_the_given_mode(tmp_path: Path) -> None:
    path = tmp_path / "f"
    replace_file(path, b"one\n", mode=0o640)
    assert path.read_bytes() == b"one\n" and path.stat().st_mode & 0o777 == 0o640
    os.chmod(path, 0o604)
    replace_file(path, b"two\n")
    assert path.read_bytes() == b"two\n" and path.stat().st_mode & 0o777 == 0o604


def test_appended_lines_stay_whole_under_concurrent_writers(tmp_path: Path) -> None:
    path = tmp_path / "log"

    def writer(n: int) -> None:
        for i in range(50):
            append_json_line(path, {"writer": n, "i": i, "pad": "x" * 500}, mode=0o640)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(records) == 200 and path.stat().st_mode & 0o777 == 0o640
