"""What a library's packaging files declare, read without running them: `setup.py` through
Python's own parser (only literal arguments of the `setup(...)` call count; nothing is
executed), `setup.cfg` through configparser, `pyproject.toml` through tomllib."""

from __future__ import annotations

import ast
import configparser
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

_VERSION_LINE = re.compile(r'^__version__\s*=\s*["\'](?P<version>[^"\']+)["\']\s*$', re.MULTILINE)


@dataclass
class Declared:
    """The library as its packaging declares it; None where it does not say."""

    source: str  # which file said it: setup.py, setup.cfg or pyproject.toml
    name: str | None = None
    version: str | None = None
    description: str | None = None
    author: str | None = None
    requires_python: str | None = None
    dependencies: list[str] = field(default_factory=list)
    classifiers: list[str] = field(default_factory=list)
    import_names: list[str] = field(default_factory=list)  # what the folder installs as
    folder_is_package: bool = False  # package_dir = {"name": "."}: the folder itself is the package
    unread: list[str] = field(default_factory=list)  # arguments that were not literals


def _literal(node: ast.expr) -> object:
    return ast.literal_eval(node)


def _setup_call(tree: ast.Module) -> ast.Call | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name == "setup":
                return node
    return None


def read_setup_py(path: Path) -> Declared:
    declared = Declared("setup.py")
    call = _setup_call(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    if call is None:
        declared.unread.append("no setup(...) call")
        return declared
    for kw in call.keywords:
        if kw.arg is None:
            declared.unread.append("**kwargs")
            continue
        try:
            value = _literal(kw.value)
        except (ValueError, SyntaxError, TypeError):
            if kw.arg in {"name", "version", "install_requires", "python_requires", "package_dir"}:
                declared.unread.append(kw.arg)
            continue
        _take(declared, kw.arg, value)
    return declared


def _take(declared: Declared, key: str, value: object) -> None:
    if key == "name" and isinstance(value, str):
        declared.name = value
    elif key == "version" and isinstance(value, str):
        declared.version = value
    elif key == "description" and isinstance(value, str):
        declared.description = value
    elif key == "author" and isinstance(value, str):
        declared.author = value
    elif key == "python_requires" and isinstance(value, str):
        declared.requires_python = value
    elif key == "install_requires" and isinstance(value, (list, tuple)):
        declared.dependencies = [str(v) for v in value]
    elif key == "classifiers" and isinstance(value, (list, tuple)):
        declared.classifiers = [str(v) for v in value]
    elif key == "package_dir" and isinstance(value, dict):
        for package, folder in value.items():
            if package and str(folder).strip("/") in {".", ""}:
                declared.import_names = [str(package)]
                declared.folder_is_package = True


def read_setup_cfg(path: Path) -> Declared:
    declared = Declared("setup.cfg")
    cfg = configparser.ConfigParser()
    cfg.read(path, encoding="utf-8")
    meta = cfg["metadata"] if cfg.has_section("metadata") else {}
    options = cfg["options"] if cfg.has_section("options") else {}
    declared.name = meta.get("name")
    version = meta.get("version")
    declared.version = version if version and not version.startswith(("attr:", "file:")) else None
    declared.description = meta.get("description")
    declared.author = meta.get("author")
    declared.requires_python = options.get("python_requires")
    declared.dependencies = [d.strip() for d in options.get("install_requires", "").splitlines() if d.strip()]
    declared.classifiers = [c.strip() for c in meta.get("classifiers", "").splitlines() if c.strip()]
    for line in options.get("package_dir", "").splitlines():
        package, _, folder = line.partition("=")
        if package.strip() and folder.strip().strip("/") in {".", ""}:
            declared.import_names = [package.strip()]
            declared.folder_is_package = True
    return declared


def read_pyproject(path: Path) -> Declared:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    project = data.get("project", {})
    declared = Declared("pyproject.toml")
    declared.name = project.get("name")
    declared.version = project.get("version")
    declared.description = project.get("description")
    declared.requires_python = project.get("requires-python")
    declared.dependencies = list(project.get("dependencies", []))
    wheel = data.get("tool", {}).get("hatch", {}).get("build", {}).get("targets", {}).get("wheel", {})
    prefix = wheel.get("sources", {}).get("")
    if isinstance(prefix, str) and prefix.strip("/"):
        declared.import_names = [prefix.strip("/")]
        declared.folder_is_package = True
    elif isinstance(wheel.get("packages"), list):
        declared.import_names = [Path(p).name for p in wheel["packages"]]
    return declared


def version_in_init(folder: Path) -> str | None:
    init = folder / "__init__.py"
    if not init.is_file():
        return None
    match = _VERSION_LINE.search(init.read_text(encoding="utf-8"))
    return match["version"] if match else None


def packaging_file(folder: Path) -> Path | None:
    for name in ("pyproject.toml", "setup.cfg", "setup.py"):
        if (folder / name).is_file():
            return folder / name
    return None


def read_library(folder: Path) -> Declared:
    """What the folder's packaging declares: its pyproject.toml's [project] when it has one,
    else setup.cfg and setup.py together (setup.py's literals win where both say)."""
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file() and "project" in tomllib.loads(pyproject.read_text(encoding="utf-8")):
        return read_pyproject(pyproject)
    merged = Declared("setup.py")
    for path, reader in ((folder / "setup.cfg", read_setup_cfg), (folder / "setup.py", read_setup_py)):
        if not path.is_file():
            continue
        found = reader(path)
        merged.source = found.source
        for key, value in vars(found).items():
            if key != "source" and value:
                setattr(merged, key, value)
    return merged
