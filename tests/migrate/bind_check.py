"""Static check that migrated code binds to the installed ytcaption_common.

Every `from ytcaption_common... import X` / `import ytcaption_common...` in a tree must resolve, and
every call of an imported callable must bind to its signature (inspect.signature(...).bind) with the
call's positional count and keyword names. Run it with the Python that has the service's
requirements installed (e.g. the venv `ytc-release smoke` caches):

    python -m tests.migrate.bind_check services/video-downloader orchestrator
"""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = "ytcaption_common"


@dataclass
class Result:
    files: int = 0
    names: int = 0  # imported names that resolved
    bound: int = 0  # calls whose shape binds
    calls: Counter[str] = field(default_factory=Counter)  # callable name -> call sites
    problems: list[str] = field(default_factory=list)  # "path:line: why"


def _ours(module: str | None) -> bool:
    return module is not None and (module == ROOT or module.startswith(ROOT + "."))


def _import(module: str) -> ModuleType | str:
    try:
        return importlib.import_module(module)
    except ImportError as err:
        return str(err)


def _resolve(node: ast.ImportFrom, module: ModuleType, names: dict[str, object], where: str, out: Result) -> None:
    for alias in node.names:
        if hasattr(module, alias.name):
            names[alias.asname or alias.name] = getattr(module, alias.name)
            continue
        sub = _import(f"{node.module}.{alias.name}")  # `from pkg import submodule`
        if isinstance(sub, str):
            out.problems.append(f"{where}:{node.lineno}: {node.module} has no {alias.name}")
        else:
            names[alias.asname or alias.name] = sub


def _imported(tree: ast.AST, where: str, out: Result) -> dict[str, object]:
    names: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _ours(node.module):
            module = _import(str(node.module))
            if isinstance(module, str):
                out.problems.append(f"{where}:{node.lineno}: from {node.module} import ...: {module}")
            else:
                _resolve(node, module, names, where, out)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _ours(alias.name) and isinstance(error := _import(alias.name), str):
                    out.problems.append(f"{where}:{node.lineno}: import {alias.name}: {error}")
    return names


def _bind(call: ast.Call, name: str, target: object, where: str, out: Result) -> None:
    out.calls[name] += 1
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        out.problems.append(f"{where}:{call.lineno}: {name}(*args/**kwargs): not checkable statically")
        return
    signature = inspect.signature(target)  # type: ignore[arg-type]
    keywords = [str(k.arg) for k in call.keywords]
    try:
        signature.bind(*call.args, **dict.fromkeys(keywords))
    except TypeError as err:
        shape = f"{len(call.args)} positional, keywords {keywords}"
        out.problems.append(f"{where}:{call.lineno}: {name}{signature} does not take {shape}: {err}")
    else:
        out.bound += 1


def check(paths: list[Path]) -> Result:
    out = Result()
    for top in paths:
        for path in sorted(top.rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if ROOT not in text:
                continue
            out.files += 1
            tree = ast.parse(text, filename=str(path))
            names = _imported(tree, str(path), out)
            out.names += len(names)
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
                    target = names[node.func.id]
                    if callable(target) and not inspect.ismodule(target):
                        _bind(node, node.func.id, target, str(path), out)
    return out


def main(argv: list[str]) -> int:
    result = check([Path(a) for a in argv])
    print(f"{result.files} files import {ROOT}: {result.names} names resolve, {result.bound} calls bind")
    for name, count in sorted(result.calls.items()):
        print(f"  {name}: {count} call site(s)")
    for problem in result.problems:
        print(f"PROBLEM {problem}")
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
