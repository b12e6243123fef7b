"""Every error the release tooling raises, each saying what went wrong and
what to do next (in the style of twine's exceptions)."""

from __future__ import annotations


class ReleaseError(Exception):
    """Base class: ``str(err)`` is the problem; ``err.fix`` is the next step."""

    fix = "see the message above"

    def __init__(self, problem: str, fix: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        if fix is not None:
            self.fix = fix

    def render(self) -> str:
        return f"error: {self.problem}\n  what to do: {self.fix}"


class ConfigurationError(ReleaseError):
    fix = "check TWINE_REPOSITORY_URL / TWINE_USERNAME / TWINE_PASSWORD or your ~/.pypirc"


class RepositoryLayoutError(ReleaseError):
    fix = "run the command from inside your repository (or set YTC_REPO_ROOT); `ytc-release init` sets one up"


class ProjectConfigError(ReleaseError):
    fix = "fix the [tool.ytc-release] table of the repository's pyproject.toml (`ytc-release init` writes one)"


class VersionError(ReleaseError):
    fix = "use `ytc-release bump patch|minor|major|X.Y.Z` to set the version"


class ChangelogError(ReleaseError):
    fix = "add a `## [X.Y.Z] - YYYY-MM-DD` section to the library's CHANGELOG (`ytc-release bump` opens one)"


class TestsFailedError(ReleaseError):
    fix = "fix the failing tests (run the `tests` command of [tool.ytc-release]), then release again"


class BuildError(ReleaseError):
    fix = "read the build output above, fix the library's pyproject.toml or its sources, then run `ytc-release build`"


class CheckError(ReleaseError):
    fix = "fix the package metadata or contents so `ytc-release build` passes its checks"


class IndexUnreachableError(ReleaseError):
    fix = "start the index (`ytc-release index up` for the embedded one) or check TWINE_REPOSITORY_URL"


class CredentialsError(ReleaseError):
    fix = "check TWINE_USERNAME / TWINE_PASSWORD (or index/auth/pypirc for the embedded index)"


class VersionTakenError(ReleaseError):
    fix = "bump the version (`ytc-release bump patch`) and release again; published files are never replaced"


class UploadError(ReleaseError):
    fix = "run `ytc-release release` again: files already on the index are kept and only the missing ones are uploaded"


class VerifyError(ReleaseError):
    fix = "do not pin this build: inspect the index (`ytc-release status`) and the files it serves"


class PinError(ReleaseError):
    fix = "give each service's requirements.txt exactly one exact pin of the library (`NAME==X.Y.Z`)"


class IndexServerError(ReleaseError):
    fix = "see server.log in the embedded index's home, or run `ytc-release index status`"


class AccountError(ReleaseError):
    fix = "list the accounts with `ytc-release index list-users`"


class CheckFailedError(ReleaseError):
    fix = "remove the copied library or fix the pins/install configuration named above"


class GuardError(ReleaseError):
    fix = "bump the version (`ytc-release bump patch`), describe the change in the library's CHANGELOG, commit"


class ContainerError(ReleaseError):
    fix = "see docs/containers.md for what podman needs on this machine; `make images` needs root"


class FleetError(ReleaseError):
    fix = "give base URLs such as http://vm-3:8002 as arguments or one per line in --hosts FILE"


class SmokeError(ReleaseError):
    fix = "read the failed step and the log tail above, fix the service, then run `ytc-release smoke DIR` again"


class OperatorAccessError(ReleaseError):
    fix = "run it as root or as the index's user (the owner of the package folder)"


class LockError(ReleaseError):
    fix = "fix the requirements named above, then run `ytc-release lock DIR`"


class RedisServerError(ReleaseError):
    fix = "install one (`apt-get install redis-server`, or any redis-server on PATH) and run the command again"


class ProvenanceError(ReleaseError):
    fix = "see `ytc-release provenance --help` and the README's release section"


class MigrateError(ReleaseError):
    fix = "read the lines above: commit or move the local changes, then run migrate again (or pass --force)"


class ComposeError(Exception):
    """A compose file migrate cannot edit: it lists the file as a change to make by hand."""


class StepFailed(ReleaseError):
    """A step of the pipeline failed: ``step`` names it, ``problem`` and ``fix``
    are those of the cause, so the message reads as before."""

    def __init__(self, step: str, cause: ReleaseError) -> None:
        super().__init__(cause.problem, cause.fix)
        self.step = step
        self.cause = cause


# The HTTP client's transport errors: OSError, so every caller treats them as "cannot reach".


class BadResponse(OSError):
    """The other end did not speak HTTP we can use (or the URL was not one)."""


class Unreachable(OSError):
    """Nothing answered: refused, timed out, no such host."""


class UntrustedCertificate(OSError):
    """The server's certificate is not signed by a CA we trust."""
