"""The repository's own description of itself: the `[tool.ytc-release]` table of its root
pyproject.toml. It names the library (folder, distribution, import packages, version source,
CHANGELOG, test command), the service folders and where the embedded index keeps its data.
Nothing of a layout is a constant of the tool: this table is read for every command, in this
repository as in any other (`ytc-release init` writes it)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

from ytc_release.errors import ProjectConfigError

TABLE = "tool.ytc-release"
PYPROJECT = "pyproject.toml"
# Where the embedded index keeps its data when the table does not say: inside the repository,
# gitignored by `init`, so the tool installed elsewhere never writes into its own checkout.
DEFAULT_INDEX_HOME = ".ytc-release/index"
DEFAULT_SERVICES = ("services/*",)
# The interpreter running the tool, in a test command (`tests = ["{python}", "-m", "pytest", ...]`).
PYTHON_PLACEHOLDER = "{python}"

# Every key of the table and what it says (unknown keys are refused: a typo must not be ignored).
KEYS = {
    "library": "the library's folder, relative to the repository root (it holds its pyproject.toml)",
    "distribution": "its distribution name, the one services pin (default: [project].name of the library)",
    "import-names": "its top-level import packages (default: the distribution name with _)",
    "version-file": 'the one version source: a file with `__version__ = "X.Y.Z"`, or the library\'s '
    "pyproject.toml with a static [project].version",
    "changelog": "its CHANGELOG (default: CHANGELOG.md in the library folder, when there); a release needs an entry",
    "tests": "the library's test command, run from the repository root ({python} is the tool's interpreter); "
    "empty: no tests step",
    "services": "globs of service folders, relative to the root (default: services/*)",
    "exclude": "globs of folders the service globs match that are not services",
    "index-home": f"where the embedded index keeps its data (default: {DEFAULT_INDEX_HOME}, gitignored)",
    "import-check-exempt": "modules of the wheel whose import may fail in a venv of only its declared "
    "dependencies (a test helper that needs pytest); each is still tried and reported",
}

_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")
_IMPORT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def normalize(name: str) -> str:
    """PEP 503's normalised project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Project:
    """The table, validated, with every default filled in. Paths are relative to the root."""

    library: str
    distribution: str
    import_names: tuple[str, ...]
    version_file: str
    changelog: str | None
    tests: tuple[str, ...]
    services: tuple[str, ...]
    exclude: tuple[str, ...]
    index_home: str
    import_check_exempt: tuple[str, ...] = ()

    @property
    def wheel_stem(self) -> str:
        """The distribution's name as wheel and sdist file names spell it (PEP 427/625)."""
        return re.sub(r"[-_.]+", "_", self.distribution).lower()

    @property
    def normalized(self) -> str:
        return normalize(self.distribution)

    @property
    def owned_names(self) -> str:
        """The index's YTC_INDEX_OWNED_NAMES entry: the import packages this distribution's wheels hold."""
        return f"{self.distribution}={':'.join(self.import_names)}"


def read_table(root: Path) -> dict[str, Any] | None:
    """The raw table of root/pyproject.toml, or None when the file or the table is missing."""
    path = root / PYPROJECT
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ProjectConfigError(
            f"{path} is not valid TOML: {err}", "fix the file, then run the command again"
        ) from err
    table = data.get("tool", {}).get("ytc-release")
    return table if isinstance(table, dict) else None


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` whose pyproject.toml has the table."""
    for candidate in (start, *start.parents):
        if read_table(candidate) is not None:
            return candidate
    return None


def _strings(table: dict[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = table.get(key, list(default))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProjectConfigError(f"[{TABLE}] {key} must be a list of strings", f"{key}: {KEYS[key]}")
    return tuple(value)


def _string(table: dict[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ProjectConfigError(f"[{TABLE}] {key} must be a non-empty string", f"{key}: {KEYS[key]}")
    return value


def _inside(root: Path, rel: str, key: str) -> str:
    path = (root / rel).resolve()
    if not path.is_relative_to(root.resolve()):
        raise ProjectConfigError(
            f"[{TABLE}] {key} = {rel!r} points outside the repository", "give a path relative to the repository root"
        )
    return Path(rel).as_posix().rstrip("/") or "."


def _library_project(root: Path, library: str) -> dict[str, Any]:
    path = root / library / PYPROJECT
    if not path.is_file():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})


def default_version_file(root: Path, library: str) -> str | None:
    """The library's pyproject when its version is static there, else hatch's version path."""
    path = root / library / PYPROJECT
    if not path.is_file():
        return None
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    if "version" in data.get("project", {}):
        return f"{library}/{PYPROJECT}"
    hatch_path = data.get("tool", {}).get("hatch", {}).get("version", {}).get("path")
    return f"{library}/{hatch_path}" if isinstance(hatch_path, str) else None


def parse(root: Path, table: dict[str, Any]) -> Project:
    """The table validated against the repository at ``root``; every error names the key and the fix."""
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ProjectConfigError(
            f"[{TABLE}] in {root / PYPROJECT} has unknown key(s): {', '.join(unknown)}",
            "use only: " + ", ".join(KEYS),
        )
    library = _string(table, "library")
    if library is None:
        raise ProjectConfigError(
            f"[{TABLE}] in {root / PYPROJECT} does not name the library", f"library: {KEYS['library']}"
        )
    library = _inside(root, library, "library")
    if not (root / library).is_dir():
        raise ProjectConfigError(
            f"[{TABLE}] library = {library!r}: no such folder in {root}", "name the folder that holds the library"
        )
    declared = _library_project(root, library)
    distribution = _string(table, "distribution") or declared.get("name")
    if not distribution or not _NAME.match(distribution):
        raise ProjectConfigError(
            f"[{TABLE}] has no valid distribution name ({distribution!r})",
            'set distribution = "NAME" (or [project].name in the library\'s pyproject.toml)',
        )
    import_names = _strings(table, "import-names", (re.sub(r"[-.]+", "_", distribution).lower(),))
    bad = [n for n in import_names if not _IMPORT.match(n)]
    if bad or not import_names:
        raise ProjectConfigError(
            f"[{TABLE}] import-names {list(import_names)} are not Python package names", KEYS["import-names"]
        )
    version_file = _string(table, "version-file") or default_version_file(root, library)
    if version_file is None:
        raise ProjectConfigError(
            f"[{TABLE}] does not say where the version of {distribution} comes from",
            f"version-file: {KEYS['version-file']}",
        )
    version_file = _inside(root, version_file, "version-file")
    if not (root / version_file).is_file():
        raise ProjectConfigError(f"[{TABLE}] version-file = {version_file!r}: no such file", KEYS["version-file"])
    changelog = _string(table, "changelog")
    if changelog is None and (root / library / "CHANGELOG.md").is_file():
        changelog = f"{library}/CHANGELOG.md"
    return Project(
        library=library,
        distribution=distribution,
        import_names=import_names,
        version_file=version_file,
        changelog=_inside(root, changelog, "changelog") if changelog else None,
        tests=_strings(table, "tests", ()),
        services=tuple(_inside(root, g, "services") for g in _strings(table, "services", DEFAULT_SERVICES)),
        exclude=_strings(table, "exclude", ()),
        index_home=_inside(root, _string(table, "index-home") or DEFAULT_INDEX_HOME, "index-home"),
        import_check_exempt=_strings(table, "import-check-exempt", ()),
    )


def load(root: Path) -> Project:
    table = read_table(root)
    if table is None:
        raise ProjectConfigError(
            f"{root / PYPROJECT} has no [{TABLE}] table: this repository is not set up for ytc-release",
            "run `ytc-release init` here (it finds the library and the services and writes the table)",
        )
    return parse(root, table)
