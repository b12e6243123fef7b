"""`ytc-release`: a thin command line over the library in this package."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ytc_release.errors import ReleaseError
from ytc_release.paths import layout
from ytc_release.toolkit.report import Reporter


def cmd_build(args: argparse.Namespace) -> int:
    from ytc_release.pipeline.build import build
    from ytc_release.pipeline.check import check_artifacts
    from ytc_release.version import read_version

    lay = layout()
    version = read_version(lay.version_file)
    report = Reporter()
    with report.step(f"build ytcaption-common {version}"):
        artifacts = build(lay.common, lay.dist, lay.root)
    with report.step("check (twine check --strict, wheel contents)"):
        check_artifacts(artifacts, version, lay.common)
    for artifact in artifacts:
        report.say(f"{artifact.sha256}  dist/{artifact.name}")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from ytc_release.pipeline.release import release, summary

    report = Reporter()
    outcome = release(layout(), report, dry_run=args.dry_run, repository=args.repository, skip_tests=args.skip_tests)
    summary(report, outcome)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from ytc_release.pipeline.publish_built import publish_built

    report = Reporter()
    publish_built(layout(), report, repository=args.repository, version=args.version)
    return 0


def cmd_bump(args: argparse.Namespace) -> int:
    from ytc_release.pipeline.bump import bump

    old, new = bump(layout(), args.part)
    print(f"version {old} -> {new}; CHANGELOG entry opened for {new}: describe the change before releasing")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from ytc_release.index.status import show_status

    return show_status(layout(), Reporter(), args.repository)


def cmd_check(args: argparse.Namespace) -> int:
    from ytc_release.checks.repository import run_checks

    return run_checks(layout(), Reporter(), repository=args.repository, tools=not args.no_tools, offline=args.offline)


def cmd_guard(args: argparse.Namespace) -> int:
    from ytc_release.checks.guards import check_tag, check_version_bumped

    lay = layout()
    if args.tag is not None:
        print(f"tag {args.tag} matches the source version {check_tag(lay, args.tag)}")
    if args.base is not None:
        print(check_version_bumped(lay, args.base))
    return 0


def cmd_images(args: argparse.Namespace) -> int:
    from ytc_release.images.services import run_images

    return run_images(layout())


def cmd_lock(args: argparse.Namespace) -> int:
    from ytc_release.pipeline.release import choose_target
    from ytc_release.services import locking, pins

    lay = layout()
    report = Reporter()
    services = [Path(d).resolve() for d in args.dirs] or pins.discover_services(lay.root)
    target = choose_target(lay, report, args.repository, start=True)
    assert target is not None
    for service in services:
        with report.step(f"lock {service.name} ({locking.LOCK_FILE})"):
            changed = locking.lock_service(service, target, upgrade=args.upgrade)
            report.detail("updated" if changed else "already current")
    return 0


def cmd_fleet(args: argparse.Namespace) -> int:
    from ytc_release.services import fleet
    from ytc_release.services.pins import read_pins

    urls = list(args.urls)
    if args.hosts:
        hosts = Path(args.hosts)
        if not hosts.is_file():
            raise fleet.FleetError(f"--hosts {hosts}: no such file")
        urls += fleet.parse_hosts(hosts.read_text(encoding="utf-8"))
    if not urls:
        raise fleet.FleetError("no VM to ask: no URL given")
    rows = fleet.compare(fleet.poll([fleet.normalise_url(u) for u in urls], args.timeout), read_pins(layout().root))
    report = Reporter()
    for line in fleet.render(rows):
        report.say(line)
    bad = [row for row in rows if row.state != fleet.OK]
    report.say(f"{len(rows) - len(bad)} of {len(rows)} in line with their pins" + (", the rest marked" if bad else ""))
    return 1 if bad else 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from ytc_release.migration.migrate import migrate

    folders = [Path(d) for d in args.dirs]
    return migrate(
        folders, Reporter(), version=args.version, dry_run=args.dry_run, force=args.force, repository=args.repository
    )


def cmd_smoke(args: argparse.Namespace) -> int:
    from ytc_release.services.smoke import smoke

    return smoke([Path(d) for d in args.dirs], Reporter(), repository=args.repository, timeout=args.timeout)


def _embedded():  # type: ignore[no-untyped-def]
    from ytc_release.index.embedded import EmbeddedIndex

    return EmbeddedIndex(layout().index_home)


def cmd_index_up(args: argparse.Namespace) -> int:
    url, started = _embedded().up()
    print(f"embedded index {'started' if started else 'already running'} at {url}")
    return 0


def cmd_index_down(args: argparse.Namespace) -> int:
    print("embedded index stopped" if _embedded().down() else "embedded index was not running")
    return 0


def cmd_index_status(args: argparse.Namespace) -> int:
    from ytc_release.index.embedded import healthy

    index = _embedded()
    record = index.running()
    print(f"packages: {index.packages} ({index.file_count()} files)")
    if record is None:
        print("status:   not running (`make index-up` starts it)")
        return 3
    url = str(record["url"])
    health = "ok" if healthy(url) else "NOT ANSWERING"
    print(f"url:      {url}\npid:      {record['pid']}\nhealth:   {health}\nlog:      {index.log_file}")
    return 0 if health == "ok" else 1


def _htpasswd(args: argparse.Namespace) -> Path:
    return Path(args.htpasswd) if args.htpasswd else _embedded().htpasswd


def cmd_add_user(args: argparse.Namespace) -> int:
    from ytc_release.index.accounts import generate_password, list_users, role_of, set_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        generated = False
    else:
        password, generated = generate_password(), True
    htpasswd = _htpasswd(args)
    existed = htpasswd.is_file() and args.name in list_users(htpasswd)
    # --role None: a new account is a reader, an existing one keeps its role.
    set_user(htpasswd, args.name, password, role=args.role)
    role = role_of(htpasswd, args.name)  # what was saved, not what was asked
    if generated:
        # Shown once, on purpose: the only place the generated password ever appears.
        done = "password reset" if existed else "created"
        print(f"user {args.name} ({role}) {done}; password (shown once, store it now): {password}")
    else:
        print(f"user {args.name} ({role}) set")
    return 0


def cmd_set_role(args: argparse.Namespace) -> int:
    from ytc_release.index.accounts import set_role

    set_role(_htpasswd(args), args.name, args.role)
    print(f"user {args.name} is now a {args.role}")
    return 0


def cmd_remove_user(args: argparse.Namespace) -> int:
    from ytc_release.index.accounts import remove_user

    remove_user(_htpasswd(args), args.name)
    print(f"user {args.name} removed")
    return 0


def cmd_list_users(args: argparse.Namespace) -> int:
    from ytc_release.index.accounts import list_accounts

    for name, role in list_accounts(_htpasswd(args)):
        print(f"{name}\t{role}")
    return 0


def _packages(args: argparse.Namespace) -> Path:
    return Path(args.packages) if args.packages else _embedded().packages


class OperatorAccessError(ReleaseError):
    fix = "run it as root or as the index's user (the owner of the package folder)"


def _access_error(act: str, args: argparse.Namespace, err: OSError) -> OperatorAccessError:
    from ytc_index.operator import operations_log

    where = f": {err.filename}" if err.filename else ""
    packages = _packages(args)
    if isinstance(err, PermissionError):
        fix = f"run it as root or as the index's user (the owner of {packages})"
    else:
        fix = f"fix the cause above (disk, mount), then run it again; {operations_log(packages)} records what was done"
    return OperatorAccessError(f"cannot {act} {args.name} {args.version}: {err.strerror or err}{where}", fix)


def cmd_remove_version(args: argparse.Namespace) -> int:
    from ytc_index.operator import OperatorError, operations_log, remove_version

    try:
        files = remove_version(_packages(args), args.name, args.version, args.reason)
    except OperatorError as err:
        raise ReleaseError(str(err), "check the name, the version and --packages (`ytc-release status`)") from None
    except OSError as err:
        raise _access_error("remove", args, err) from None
    for path in files:
        print(f"removed {path.name}")
    print(f"{args.name} {args.version} can never be uploaded again; logged in {operations_log(_packages(args))}")
    return 0


def cmd_yank(args: argparse.Namespace) -> int:
    from ytc_index.operator import OperatorError, operations_log, yank_version

    try:
        yank_version(_packages(args), args.name, args.version, args.reason, undo=args.undo)
    except OperatorError as err:
        raise ReleaseError(str(err), "check the name, the version and --packages (`ytc-release status`)") from None
    except OSError as err:
        raise _access_error("unyank" if args.undo else "yank", args, err) from None
    state = "no longer yanked" if args.undo else "yanked (pip installs it only when pinned exactly)"
    print(f"{args.name} {args.version} {state}; logged in {operations_log(_packages(args))}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ytc-release", description=__doc__)
    parser.add_argument(
        "--cert", metavar="PATH", help="CA bundle for an HTTPS index, as twine's --cert (same as TWINE_CERT)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    repo_help = "a repository of ~/.pypirc (as twine's --repository); default: TWINE_* or the embedded index"

    p = sub.add_parser("build", help="build wheel + sdist of common/ into dist/ and check them")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("release", help="preflight, build, check, publish, verify, pin")
    p.add_argument("--dry-run", action="store_true", help="show what would happen; change nothing")
    p.add_argument("--repository", help=repo_help)
    p.add_argument("--skip-tests", action="store_true", help="do not run the tests of common in preflight")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("publish", help="publish the files already in dist/ (CI's publish job), then verify")
    p.add_argument("--repository", help=repo_help)
    p.add_argument("--version", help="the version whose files to publish (default: the source version)")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("bump", help="bump the version and open a CHANGELOG entry")
    p.add_argument("part", help="patch, minor, major or an explicit X.Y.Z")
    p.set_defaults(func=cmd_bump)

    p = sub.add_parser("status", help="source version, versions on the index, pins")
    p.add_argument("--repository", help=repo_help)
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("check", help="no copied common, pins on the index, safe install config, linters")
    p.add_argument("--repository", help=repo_help)
    p.add_argument("--no-tools", action="store_true", help="skip hadolint, the compose schema and workflow linters")
    p.add_argument("--offline", action="store_true", help="do not check the pins against an index")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("guard", help="CI guards: --tag common-vX.Y.Z matches the source; --base REV: bumped if changed")
    p.add_argument("--tag", help="a release tag to compare with the source version")
    p.add_argument("--base", help="the commit to compare common/src with")
    p.set_defaults(func=cmd_guard)

    p = sub.add_parser("images", help="build every service image with podman from the index and check it")
    p.set_defaults(func=cmd_images)

    p = sub.add_parser("lock", help="compile each service's hash-locked requirements.lock from its requirements.txt")
    p.add_argument("dirs", nargs="*", metavar="DIR", help="service folders (default: every service)")
    p.add_argument("--upgrade", action="store_true", help="re-resolve everything, not only what must move")
    p.add_argument("--repository", help=repo_help)
    p.set_defaults(func=cmd_lock)

    p = sub.add_parser("fleet", help="each VM's running ytcaption-common (/health) against the repository's pins")
    p.add_argument("urls", nargs="*", metavar="URL", help="a service's base URL, e.g. http://vm-3:8002")
    p.add_argument("--hosts", help="a file with one base URL per line (# comments allowed)")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for each /health (default 5)")
    p.set_defaults(func=cmd_fleet)

    p = sub.add_parser("migrate", help="turn service folders that carry a copied common/ into ones that use the index")
    p.add_argument("dirs", nargs="+", metavar="DIR", help="a service folder (Dockerfile + requirements.txt)")
    p.add_argument("--dry-run", action="store_true", help="print the changes as a unified diff; write nothing")
    p.add_argument("--force", action="store_true", help="migrate even when the copy differs from the master common/")
    p.add_argument("--version", help="the ytcaption-common version to pin (default: the newest on the index)")
    p.add_argument("--repository", help=repo_help)
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("smoke", help="install a service from the index, start it with Redis, require GET /health 200")
    p.add_argument("dirs", nargs="+", metavar="DIR", help="a service folder (Dockerfile + requirements.txt)")
    p.add_argument("--repository", help=repo_help)
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for /health (default 60)")
    p.set_defaults(func=cmd_smoke)

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.cert:  # every step (our client, twine, pip) reads it from there; see ytc_release.target
        os.environ["TWINE_CERT"] = args.cert
    try:
        return int(args.func(args))
    except ReleaseError as err:
        print(err.render(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; nothing after the last completed step was done", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
