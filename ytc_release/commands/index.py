"""`ytc-release index ...`: the embedded index (up, down, status), its accounts
and roles, and the operator's remove and yank on the index host."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ytc_release.errors import OperatorAccessError, ReleaseError
from ytc_release.settings import Settings

if TYPE_CHECKING:
    from ytc_release.index.embedded import EmbeddedIndex


def register(sub: argparse._SubParsersAction) -> None:
    index = sub.add_parser("index", help="the embedded index and its accounts").add_subparsers(
        dest="index_command", required=True, metavar="ACTION"
    )
    index.add_parser("up", help="start the embedded index").set_defaults(func=cmd_index_up)
    index.add_parser("down", help="stop the embedded index").set_defaults(func=cmd_index_down)
    index.add_parser("status", help="url, pid, files, health").set_defaults(func=cmd_index_status)
    for name, func, helptext in (
        ("add-user", cmd_add_user, "create or reset an account (generates a password unless --password-stdin)"),
        ("set-role", cmd_set_role, "change an account's role (reader: list, download; publisher: upload too)"),
        ("remove-user", cmd_remove_user, "delete an account"),
        ("list-users", cmd_list_users, "list the accounts and their roles"),
    ):
        p = index.add_parser(name, help=helptext)
        if name != "list-users":
            p.add_argument("name")
        if name == "add-user":
            p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
            p.add_argument(
                "--role",
                choices=("reader", "publisher"),
                default=None,
                help="default: reader for a new account; an existing account keeps its role",
            )
        if name == "set-role":
            p.add_argument("role", choices=("reader", "publisher"))
        p.add_argument("--htpasswd", help="the htpasswd file (default: index/auth/htpasswd)")
        p.set_defaults(func=func)
    for name, func, helptext in (
        ("remove", cmd_remove_version, "operator: delete a version's files for good (logged; never reusable)"),
        ("yank", cmd_yank, "operator: mark a version yanked (PEP 592; logged)"),
    ):
        p = index.add_parser(name, help=helptext)
        p.add_argument("name")
        p.add_argument("version")
        p.add_argument("--reason", default="", help="why (logged; shown by pip for a yank)")
        if name == "yank":
            p.add_argument("--undo", action="store_true", help="clear the yank mark")
        p.add_argument("--packages", help="the index's package folder (default: index/packages)")
        p.set_defaults(func=func)


def _embedded(settings: Settings) -> EmbeddedIndex:
    return settings.embedded()


def cmd_index_up(settings: Settings, args: argparse.Namespace) -> int:
    url, started = _embedded(settings).up()
    settings.report.say(f"embedded index {'started' if started else 'already running'} at {url}")
    return 0


def cmd_index_down(settings: Settings, args: argparse.Namespace) -> int:
    settings.report.say("embedded index stopped" if _embedded(settings).down() else "embedded index was not running")
    return 0


def cmd_index_status(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.toolkit.web import healthy

    index = _embedded(settings)
    record = index.running()
    settings.report.say(f"packages: {index.packages} ({index.file_count()} files)")
    if record is None:
        settings.report.say("status:   not running (`ytc-release index up` starts it)")
        return 3
    url = str(record["url"])
    health = "ok" if healthy(url) else "NOT ANSWERING"
    settings.report.say(f"url:      {url}\npid:      {record['pid']}\nhealth:   {health}\nlog:      {index.log_file}")
    return 0 if health == "ok" else 1


def _htpasswd(settings: Settings, args: argparse.Namespace) -> Path:
    return Path(args.htpasswd) if args.htpasswd else _embedded(settings).htpasswd


def cmd_add_user(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.index.accounts import generate_password, list_users, role_of, set_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        generated = False
    else:
        password, generated = generate_password(), True
    htpasswd = _htpasswd(settings, args)
    existed = htpasswd.is_file() and args.name in list_users(htpasswd)
    # --role None: a new account is a reader, an existing one keeps its role.
    set_user(htpasswd, args.name, password, role=args.role)
    role = role_of(htpasswd, args.name)  # what was saved, not what was asked
    if generated:
        # Shown once, on purpose: the only place the generated password ever appears.
        done = "password reset" if existed else "created"
        settings.report.reveal(f"user {args.name} ({role}) {done}; password (shown once, store it now): {password}")
    else:
        settings.report.say(f"user {args.name} ({role}) set")
    return 0


def cmd_set_role(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.index.accounts import set_role

    set_role(_htpasswd(settings, args), args.name, args.role)
    settings.report.say(f"user {args.name} is now a {args.role}")
    return 0


def cmd_remove_user(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.index.accounts import remove_user

    remove_user(_htpasswd(settings, args), args.name)
    settings.report.say(f"user {args.name} removed")
    return 0


def cmd_list_users(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_release.index.accounts import list_accounts

    for name, role in list_accounts(_htpasswd(settings, args)):
        settings.report.say(f"{name}\t{role}")
    return 0


def _packages(settings: Settings, args: argparse.Namespace) -> Path:
    return Path(args.packages) if args.packages else _embedded(settings).packages


def _access_error(settings: Settings, act: str, args: argparse.Namespace, err: OSError) -> OperatorAccessError:
    from ytc_index.operator import operations_log

    where = f": {err.filename}" if err.filename else ""
    packages = _packages(settings, args)
    if isinstance(err, PermissionError):
        fix = f"run it as root or as the index's user (the owner of {packages})"
    else:
        fix = f"fix the cause above (disk, mount), then run it again; {operations_log(packages)} records what was done"
    return OperatorAccessError(f"cannot {act} {args.name} {args.version}: {err.strerror or err}{where}", fix)


def cmd_remove_version(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_index.operator import OperatorError, operations_log, remove_version

    try:
        files = remove_version(_packages(settings, args), args.name, args.version, args.reason)
    except OperatorError as err:
        raise ReleaseError(str(err), "check the name, the version and --packages (`ytc-release status`)") from None
    except OSError as err:
        raise _access_error(settings, "remove", args, err) from None
    for path in files:
        settings.report.say(f"removed {path.name}")
    settings.report.say(
        f"{args.name} {args.version} can never be uploaded again; logged in {operations_log(_packages(settings, args))}"
    )
    return 0


def cmd_yank(settings: Settings, args: argparse.Namespace) -> int:
    from ytc_index.operator import OperatorError, operations_log, yank_version

    try:
        yank_version(_packages(settings, args), args.name, args.version, args.reason, undo=args.undo)
    except OperatorError as err:
        raise ReleaseError(str(err), "check the name, the version and --packages (`ytc-release status`)") from None
    except OSError as err:
        raise _access_error(settings, "unyank" if args.undo else "yank", args, err) from None
    state = "no longer yanked" if args.undo else "yanked (pip installs it only when pinned exactly)"
    settings.report.say(f"{args.name} {args.version} {state}; logged in {operations_log(_packages(settings, args))}")
    return 0
