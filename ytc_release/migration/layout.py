"""What `migrate` reads off a service folder laid out the way services are today: Dockerfiles in a
`docker/` folder, built from a context above the service folder (the repository root), the library
copied from a folder of that root (`COPY shared/ ./common/`).

Read-only helpers: which context a Dockerfile was built from, whether a COPY source exists there,
which modules the library has, which tests assert the old layout."""

from __future__ import annotations

import ast
import glob
import posixpath
import re
from collections.abc import Callable
from pathlib import Path

from ytc_release.project import Project
from ytc_release.toolkit import dockerfile


def library_names(project: Project) -> tuple[str, ...]:
    """The names a copy of the library goes by in paths: its folder's name and its import names."""
    return tuple(dict.fromkeys([Path(project.library).name, *project.import_names]))


def inferred_context(text: str, folder: Path, top: Path, library: str) -> Path:
    """The build context of a Dockerfile no compose file names: ``top`` (the repository root) when its
    COPY sources are written from there (`services/se1/app/`, `shared/`), else the service folder."""
    try:
        rel = folder.relative_to(top).as_posix()
    except ValueError:
        return folder
    for instruction in dockerfile.parse(text):
        if instruction.name not in {"COPY", "ADD"}:
            continue
        flags, args = dockerfile.flags_and_args(instruction.value)
        if any(f.startswith("--from=") for f in flags):
            continue
        for source in args[:-1]:
            normal = posixpath.normpath(source)
            if normal == rel or normal.startswith(rel + "/"):
                return top
            # `COPY shared/ ./common/`: the library's folder of the root, which the service folder does not
            # hold (an older-layout service copies its own common/ from its own folder)
            if _under(normal, library) and not (folder / normal).exists() and (top / normal).exists():
                return top
    return folder


def _under(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip("/") + "/")


def source_exists(base: Path, source: str) -> bool:
    """A COPY source (globs allowed, as Docker's COPY allows them) exists below ``base``."""
    if any(ch in source for ch in "*?["):
        return bool(glob.glob(str(base / source)))
    return (base / source).exists()


def module_checker(root: Path, project: Project) -> Callable[[str], bool]:
    """Whether the library in ``root`` has a module (`common.log_utils`), read from its source folder:
    `src/<name>/`, `<name>/`, or the library folder itself when it is the package (`shared/` installed as
    `common`). Falls back to this interpreter's import system when the folder holds none of them."""
    library = root / project.library
    packages: dict[str, Path] = {}
    for name in project.import_names:
        for candidate in (library / "src" / name, library / name):
            if candidate.is_dir():
                packages[name] = candidate
                break
        else:
            if (library / "__init__.py").is_file():
                packages[name] = library

    def has(module: str) -> bool:
        top, *rest = module.split(".")
        base = packages.get(top)
        if base is None:
            import importlib.util

            try:
                return importlib.util.find_spec(module) is not None
            except ImportError:  # a parent package is missing
                return False
        path = base.joinpath(*rest)
        return not rest or path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()

    return has


def is_test_file(path: Path) -> bool:
    return (
        path.name.startswith("test_")
        or path.name.endswith("_test.py")
        or path.name == "conftest.py"
        or "tests" in path.parts
    )


def old_layout_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """Strings that name the copy: `-e ./common`, `../shared`, `/app/common`, `shared/`, `COPY shared`."""
    alternatives = "|".join(re.escape(n) for n in dict.fromkeys([dockerfile.COPY_NAME, *names]))
    return re.compile(
        rf"(?:^|[\s\"'=:])(?:-e\s+)?(?:\.{{1,2}}/)+(?:{alternatives})\b"
        rf"|/app/(?:{alternatives})\b"
        rf"|^(?:{alternatives})/"
        rf"|\bCOPY\s+(?:\./)?(?:{alternatives})\b"
    )


def old_layout_asserts(source: str, names: tuple[str, ...]) -> list[tuple[int, str]]:
    """(line, text) of string constants inside `assert` statements that name the copy of the library."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    pattern = old_layout_pattern(names)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assert):
            continue
        for inner in ast.walk(node.test):
            if isinstance(inner, ast.Constant) and isinstance(inner.value, str) and pattern.search(inner.value):
                found.append((inner.lineno, inner.value))
    return sorted(found)
