"""Rewriting `common` imports to `ytcaption_common`, token by token.

Python's own parser (ast) decides which names are imports of the top-level
package `common` and which names refer to it; tokenize gives their exact
places. Only those NAME tokens change, so strings, comments, relative imports
(`from .common import x`) and names like `common_utils` are never touched."""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass, field

# The defaults: the older layout, whose copies were imported as `common` and whose library is `ytcaption_common`.
# When the library keeps the copy's import name (`common`), nothing is rewritten.
OLD = "common"
NEW = "ytcaption_common"


@dataclass
class ImportRewrite:
    text: str
    changed_lines: list[int] = field(default_factory=list)
    syspath_lines: list[int] = field(default_factory=list)
    modules: list[tuple[int, str]] = field(default_factory=list)  # (line, module) imported from the library
    error: str | None = None


def _is_common(module: str | None, old: str = OLD) -> bool:
    return module is not None and (module == old or module.startswith(old + "."))


def _targets(tree: ast.AST, old: str) -> tuple[set[int], set[tuple[int, int]], list[int]]:
    """(lines of import statements to rewrite, (line, byte col) of Name loads bound by `import common...`,
    lines of sys.path edits)."""
    import_lines: set[int] = set()
    bound_by_import = False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and _is_common(node.module, old):
            import_lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        elif isinstance(node, ast.Import) and any(_is_common(a.name, old) for a in node.names):
            import_lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
            # `import common.x` binds the name `common`; `import common.x as y` binds y only.
            bound_by_import |= any(_is_common(a.name, old) and a.asname is None for a in node.names)
    uses = _module_name_loads(tree, old) if bound_by_import else set()
    syspath = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr in {"insert", "append", "extend"}
        and ast.unparse(n.func.value) == "sys.path"
    ]
    return import_lines, uses, sorted(syspath)


def _module_name_loads(tree: ast.AST, old: str) -> set[tuple[int, int]]:
    """Loads of the name `common` that refer to the module, not to a function's own `common`."""
    found: set[tuple[int, int]] = set()

    def local_names(func: ast.AST) -> set[str]:
        names = {a.arg for a in ast.walk(func.args) if isinstance(a, ast.arg)} if hasattr(func, "args") else set()
        for node in _walk_scope(func):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
        return names

    def visit(scope: ast.AST, shadowed: bool) -> None:
        for node in _walk_scope(scope):
            if isinstance(node, ast.Name) and node.id == old and isinstance(node.ctx, ast.Load) and not shadowed:
                found.add((node.lineno, node.col_offset))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) and node is not scope:
                visit(node, old in local_names(node))

    visit(tree, False)
    return found


def _walk_scope(scope: ast.AST) -> list[ast.AST]:
    """Every node of ``scope`` except the insides of nested functions (the nested function nodes are included)."""
    out: list[ast.AST] = []
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        out.append(node)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))
    return out


def rewrite_imports(source: str, old: str = OLD, new: str = NEW) -> ImportRewrite:
    """``old`` imports rewritten to ``new``; with old == new only the report (sys.path edits, modules used)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        return ImportRewrite(source, error=f"line {err.lineno}: {err.msg} (not parsed; imports left as they are)")
    import_lines, uses, syspath = _targets(tree, old)
    if not import_lines or old == new:
        return ImportRewrite(source, syspath_lines=syspath, modules=imported_modules(tree, old, new))
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int]] = []  # (line, char col) of NAME tokens to replace
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.NAME or tok.string != old:
            continue
        row, col = tok.start
        prev = _previous_significant(tokens, i)
        if row in import_lines and prev is not None and prev.string in {"from", "import", ","}:
            # The first part of a module name: right after `from`, or after `import` / a comma in `import a, b`.
            kind = _statement_keyword(tokens, i)
            if (kind == "from" and prev.string == "from") or (kind == "import" and prev.string != "from"):
                edits.append((row, col))
        elif uses:
            byte_col = len(lines[row - 1][:col].encode("utf-8"))
            if (row, byte_col) in uses:
                edits.append((row, col))
    for row, col in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:col] + new + line[col + len(old) :]
    return ImportRewrite("".join(lines), sorted({r for r, _ in edits}), syspath, imported_modules(tree, old, new))


def imported_modules(tree: ast.AST, old: str = OLD, new: str = NEW) -> list[tuple[int, str]]:
    """(line, `ytcaption_common...` module) of every import of the package, for checking they exist."""

    def renamed(module: str) -> str | None:
        if _is_common(module, old):
            return new + module[len(old) :]
        return module if module == new or module.startswith(new + ".") else None  # migrated on an earlier run

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and renamed(node.module):
            found.append((node.lineno, str(renamed(node.module))))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, str(renamed(a.name))) for a in node.names if renamed(a.name)]
    return sorted(found)


def _previous_significant(tokens: list[tokenize.TokenInfo], i: int) -> tokenize.TokenInfo | None:
    skip = {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
    for j in range(i - 1, -1, -1):
        if tokens[j].type not in skip:
            return tokens[j]
    return None


def _statement_keyword(tokens: list[tokenize.TokenInfo], i: int) -> str | None:
    """`from` or `import`: the first word of the statement holding tokens[i]."""
    skip = {tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT}
    first = None
    for j in range(i - 1, -1, -1):
        tok = tokens[j]
        if tok.type == tokenize.NEWLINE or tok.string == ";":
            break
        if tok.type not in skip:
            first = tok.string
    return first
