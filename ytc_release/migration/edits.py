"""The text edits `migrate` makes to requirements files and Dockerfiles.
Pure functions: text in, text out, plus notes for the report."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ytc_release.services.pins import pin_pattern
from ytc_release.toolkit import dockerfile

LOCK_FILE = "requirements.lock"  # as ytc_release.services.locking names it

_EDITABLE = re.compile(r"^(-e|--editable)(\s+|=)", re.IGNORECASE)


def is_copy_requirement(line: str, names: tuple[str, ...] = ()) -> bool:
    """`-e ./common`, `-e ../../common`, `./common`, `file:../common`, `common @ file:///app/common`:
    an install of a `common` folder by path; with ``names`` (the library's folder and import names)
    also `-e ../shared`, `/app/shared`."""
    spec = line.split(" #", 1)[0].strip()
    if not spec or spec.startswith("#"):
        return False
    spec = _EDITABLE.sub("", spec).strip()
    if "@" in spec and not spec.startswith(("file:", ".", "/")):
        spec = spec.split("@", 1)[1].strip()
    spec = spec.removeprefix("file://").removeprefix("file:")
    if not spec.startswith((".", "/", "common")):
        return False
    path = spec.split("[", 1)[0].split("#egg=", 1)[0]
    if dockerfile.is_common_path(path):
        return True
    parts = [p for p in path.split("/") if p not in {"", ".", ".."}]
    return bool(parts) and (parts[0] in names if not path.startswith("/") else dockerfile.is_library_path(path, names))


def pin_requirements(
    text: str, version: str, *, must_pin: bool, distribution: str, names: tuple[str, ...] = ()
) -> tuple[str, list[str]]:
    """Replace each path install of a copy by the exact pin (once; later ones are dropped).
    With ``must_pin``, a file without any pin gets one appended. Returns (text, notes)."""
    pin = f"{distribution}=={version}"
    lines = text.splitlines(keepends=True)
    notes: list[str] = []
    has_pin = any(pin_pattern(distribution).match(line) for line in lines)
    out: list[str] = []
    for number, line in enumerate(lines, 1):
        if is_copy_requirement(line, names):
            newline = "\n" if line.endswith("\n") else ""
            if has_pin:
                notes.append(f"line {number}: removed `{line.strip()}` (the file already pins {distribution})")
                continue
            out.append(pin + newline)
            has_pin = True
            notes.append(f"line {number}: `{line.strip()}` -> `{pin}`")
        else:
            out.append(line)
    if must_pin and not has_pin:
        if out and not out[-1].endswith("\n"):
            out[-1] += "\n"
        out.append(pin + "\n")
        notes.append(f"line {len(out)}: added `{pin}` (this file is what the image installs)")
    return "".join(out), notes


@dataclass(frozen=True)
class Rules:
    """What `edit_dockerfile` does beyond removing `common` copies (the older layout's defaults).

    ``names``: the library's folder and import names, for copies such as `COPY shared/ /app/shared/`.
    ``prefix``: the service folder relative to the old build context (`services/se1`), "" when the
    context already is the service folder; COPY sources below it are rewritten relative to it.
    ``lock``: the pip step that installs requirements.txt installs requirements.lock with hashes instead."""

    names: tuple[str, ...] = ()
    prefix: str = ""
    lock: bool = False


@dataclass
class DockerfileEdit:
    text: str
    notes: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)  # "line N: ..." the user must do
    # -r files its pip steps install, as in the (new) build context
    requirement_files: list[str] = field(default_factory=list)
    # (line, source) of every COPY/ADD source after the rewrite, relative to the service folder, to check they exist
    sources: list[tuple[int, str]] = field(default_factory=list)
    # (line, source) of COPY/ADD sources outside the service folder (relative to the old context)
    outside: list[tuple[int, str]] = field(default_factory=list)
    # (line, path) of PYTHONPATH entries that reached only the removed copy
    pythonpath: list[tuple[int, str]] = field(default_factory=list)


def _mentions_copy(instruction: dockerfile.Instruction, names: tuple[str, ...] = ()) -> bool:
    """A comment about the copy (`# Copy shared as common/`), which goes with the COPY it sits above."""
    text = instruction.value.lower()
    return instruction.name == "COMMENT" and any(n.lower() in text for n in (dockerfile.COPY_NAME, *names))


def _split_and(script: str) -> list[str] | None:
    """The commands of a shell script joined only by `&&`, each exactly as written (quotes, `$VAR`,
    redirections, globs untouched); None when the script has anything this cannot split safely
    (`||`, `;`, `|`, `&`, subshells, `$(...)`, backquotes, here-documents, comments)."""
    parts: list[str] = []
    start = i = 0
    quote = ""
    while i < len(script):
        ch = script[i]
        if quote == "'":
            quote = "" if ch == "'" else quote
        elif ch == "\\":
            i += 1  # the escaped character is literal (in or out of double quotes)
        elif quote == '"':
            if ch == '"':
                quote = ""
            elif ch == "`" or script.startswith("$(", i):
                return None
        elif ch in "'\"":
            quote = ch
        elif ch == "&" and i > 0 and script[i - 1] in "<>":
            pass  # 2>&1, <&3: a redirection, not a separator
        elif script.startswith("&&", i):
            parts.append(script[start:i])
            i += 2
            start = i
            continue
        elif ch in "|;&`()\n" or script.startswith("<<", i) or (ch == "#" and (i == 0 or script[i - 1].isspace())):
            return None
        i += 1
    if quote:
        return None
    parts.append(script[start:])
    parts = [p.strip() for p in parts]
    return parts if all(parts) else None


def _rebuild_run(instruction: dockerfile.Instruction, drop: list[int]) -> str | None:
    """The RUN without the commands at ``drop``, every other command kept byte-for-byte as written,
    when its commands are joined only by `&&`; else None (the user edits it by hand)."""
    flags, _, exec_form = dockerfile.split_instruction(instruction.value)
    if exec_form:
        return None
    script = instruction.value.strip()
    for flag in flags:  # split_instruction took these off the front, one word each
        script = script.removeprefix(flag).lstrip()
    texts = _split_and(script)
    commands = dockerfile.shell_commands(instruction)
    if texts is None or len(texts) != len(commands):
        return None
    if any(dockerfile.split_instruction(text)[1] != command for text, command in zip(texts, commands, strict=True)):
        return None  # the two readings disagree: do not guess
    kept = [text for i, text in enumerate(texts) if i not in drop]
    return " ".join(["RUN", *flags]) + " " + " \\\n    && ".join(kept) + "\n"


def _add_mount(first_line: str) -> str:
    return re.sub(
        r"^(\s*RUN\s+)", rf"\g<1>{dockerfile.PIPCONF_MOUNT} ", first_line, count=1, flags=re.IGNORECASE | re.MULTILINE
    )


def rebase_source(source: str, prefix: str) -> str | None:
    """``source`` relative to the service folder ``prefix`` (both relative to the old build context);
    None when it lies outside it. `services/se1/app/` -> `app/`, `services/se1` -> `.`."""
    if not prefix:
        return source
    trailing = "/" if source.endswith("/") and source.rstrip("/") else ""
    normal = posixpath.normpath(source.strip())
    if normal == prefix:
        return "." if not trailing else "./"
    if normal.startswith(prefix + "/"):
        return normal[len(prefix) + 1 :] + trailing
    return None


def _copy_text(instruction: dockerfile.Instruction, flags: list[str], args: list[str], exec_form: bool) -> str:
    keyword = instruction.content.lstrip().split(None, 1)[0]
    body = json.dumps(args) if exec_form else " ".join(args)
    return " ".join([keyword, *flags, body]) + "\n"


_SAFE_PIP_OPTIONS = {
    "--no-cache-dir",
    "-q",
    "--quiet",
    "-U",
    "--upgrade",
    "--no-compile",
    "--disable-pip-version-check",
}
_VALUE_OPTIONS = {"-r", "--requirement", "-c", "--constraint"}


def lock_install(command: list[str], source_of: dict[str, str]) -> tuple[str | None, str | None]:
    """(new text, None) when this `pip install` of the service's requirements.txt can install requirements.lock
    instead; (None, why not) when it installs requirement files another way; (None, None) otherwise."""
    args = dockerfile.pip_install_args(command)
    files = dockerfile.requirement_files(command)
    if args is None or not files:
        return None, None
    if files == [LOCK_FILE] and "--require-hashes" in args:
        return None, None  # already converted
    sources = [source_of.get(posixpath.basename(f), f) for f in files]
    if sources != ["requirements.txt"]:
        return None, (
            f"installs {', '.join(sources)}, not the service's requirements.txt that {LOCK_FILE} is compiled from"
        )
    rest, skip = [], False
    for word in args:
        if skip:
            skip = False
        elif word in _VALUE_OPTIONS:
            skip = True
        elif not any(word.startswith(o) for o in _VALUE_OPTIONS if o.startswith("--")) and not (
            word[:2] in {"-r", "-c"} and len(word) > 2
        ):
            rest.append(word)
    unsafe = [w for w in rest if w not in _SAFE_PIP_OPTIONS]
    if unsafe:
        return None, f"installs requirements.txt with {' '.join(unsafe)}, which a hash lock cannot express"
    head = command[: len(command) - len(args)]  # `pip install`, `python3.11 -m pip install`, `FOO=1 pip install`
    kept = [w for w in rest if w != "--no-cache-dir"]
    return " ".join([*head, *kept, "--no-cache-dir", "--require-hashes", "-r", LOCK_FILE]), None


def _replace_commands(instruction: dockerfile.Instruction, new: dict[int, str]) -> str | None:
    """The RUN with the commands at ``new``'s indexes replaced, every other command kept as written
    (only when its commands are joined by `&&` alone)."""
    flags, _, exec_form = dockerfile.split_instruction(instruction.value)
    if exec_form:
        return None
    script = instruction.value.strip()
    for flag in flags:
        script = script.removeprefix(flag).lstrip()
    texts = _split_and(script)
    commands = dockerfile.shell_commands(instruction)
    if texts is None or len(texts) != len(commands):
        return None
    texts = [new.get(i, text) for i, text in enumerate(texts)]
    return " ".join(["RUN", *flags]) + " " + " \\\n    && ".join(texts) + "\n"


def _under(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip("/") + "/")


def edit_dockerfile(text: str, rules: Rules | None = None) -> DockerfileEdit:
    rules = rules or Rules()
    instructions = dockerfile.parse(text)
    lines = text.splitlines(keepends=True)
    replace: dict[int, str] = {}  # first line (1-based) -> new text for the instruction's whole range
    delete: set[int] = set()
    edit = DockerfileEdit(text)

    def drop(index: int) -> None:
        instruction = instructions[index]
        delete.update(range(instruction.start, instruction.end + 1))
        j = index - 1  # the comments right above that talk about the copy go with it
        while (
            j >= 0
            and _mentions_copy(instructions[j], rules.names)
            and instructions[j].end == instructions[j + 1].start - 1
        ):
            delete.update(range(instructions[j].start, instructions[j].end + 1))
            j -= 1

    def put(instruction: dockerfile.Instruction, new: str) -> None:
        replace[instruction.start] = new
        delete.update(range(instruction.start + 1, instruction.end + 1))

    copied_as: dict[str, str] = {}  # file name in the image -> its source, relative to the service folder
    copy_dests: list[str] = []  # absolute paths in the image the removed copies went to
    kept_dests: list[str] = []  # ... and the ones every other COPY fills
    pythonpath: list[tuple[int, str]] = []  # (line, entry) of ENV PYTHONPATH
    lock_copied = False  # requirements.lock is in this stage already
    workdir = "/"
    for index, instruction in enumerate(instructions):
        if instruction.name == "FROM":
            lock_copied, workdir = False, "/"
        elif instruction.name == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, instruction.value.strip()))
        if instruction.name in {"COPY", "ADD"}:
            flags, args, exec_form = dockerfile.split_instruction(instruction.value)
            if len(args) < 2:
                continue
            dest = posixpath.normpath(posixpath.join(workdir, args[-1]))
            if dockerfile.copies_library(instruction, rules.names):
                drop(index)
                copy_dests.append(dest)
                edit.notes.append(f"line {instruction.start}: removed `{instruction.name} {instruction.value}`")
                continue
            kept_dests.append(dest)
            if any(f.startswith("--from=") for f in flags):
                continue
            sources = []
            for source in args[:-1]:
                rebased = source if "://" in source or "$" in source else rebase_source(source, rules.prefix)
                if rebased is None:
                    edit.outside.append((instruction.start, source))
                    rebased = source
                elif "://" not in source and "$" not in source:
                    edit.sources.append((instruction.start, rebased))
                sources.append(rebased)
            lock_copied |= LOCK_FILE in sources
            if sources != args[:-1]:
                put(instruction, _copy_text(instruction, flags, [*sources, args[-1]], exec_form))
                edit.notes.append(f"line {instruction.start}: COPY sources relative to the service folder")
            into_dir = args[-1].endswith("/") or args[-1] in {".", "./"} or len(sources) > 1
            for source in sources:
                name = posixpath.basename(source.rstrip("/")) if into_dir else posixpath.basename(args[-1])
                copied_as[name] = posixpath.normpath(source)
            continue
        if instruction.name == "ENV":
            for entry in dockerfile.env_of([instruction]).get("PYTHONPATH", "").split(":"):
                if entry.rstrip("/") and "$" not in entry:
                    pythonpath.append((instruction.start, entry.rstrip("/")))
            continue
        if instruction.name != "RUN":
            continue
        for command in dockerfile.shell_commands(instruction):
            for name in dockerfile.requirement_files(command):
                if posixpath.basename(name) == LOCK_FILE:
                    continue
                source = copied_as.get(
                    posixpath.basename(name), name
                )  # COPY x/requirements-docker.txt requirements.txt
                if source not in edit.requirement_files:
                    edit.requirement_files.append(source)
        copy_steps = dockerfile.installs_the_copy(instruction, rules.names)
        current = instruction
        if copy_steps:
            commands = dockerfile.shell_commands(instruction)
            if len(copy_steps) == len(commands):
                drop(index)
                edit.notes.append(f"line {instruction.start}: removed `RUN {instruction.value}` (installed the copy)")
                continue
            rebuilt = _rebuild_run(instruction, copy_steps)
            if rebuilt is None:
                edit.manual.append(
                    f"line {instruction.start}: this RUN installs the copy among other commands that migrate cannot"
                    " split without changing them (joined by more than `&&`, or subshells, `$(...)`, here-documents);"
                    " remove the install of the copy by hand"
                )
            else:
                put(instruction, rebuilt)
                edit.notes.append(f"line {instruction.start}: dropped the install of the copy from this RUN")
                current = dockerfile.parse(rebuilt)[0]
        if rules.lock:
            current = _lock_step(instruction, current, copied_as, lock_copied, edit, put)
            lock_copied |= LOCK_FILE in (replace.get(instruction.start) or "")
        if dockerfile.installs_requirements(current) and not dockerfile.has_pipconf_mount(current):
            block = replace.get(instruction.start) or "".join(lines[instruction.start - 1 : instruction.end])
            put(instruction, _add_mount(block))
            edit.notes.append(f"line {instruction.start}: this pip step now mounts the `pipconf` secret")
    edit.pythonpath = [(n, e) for n, e in pythonpath if _reaches_only(e, copy_dests, kept_dests)]
    out: list[str] = []
    for number, line in enumerate(lines, 1):
        if number in replace:
            out.append(replace[number])
        elif number in delete:
            continue
        elif line.strip() == "" and out and out[-1].strip() == "" and (number - 1) in delete:
            continue  # do not leave two blank lines where a block was removed
        else:
            out.append(line)
    edit.text = "".join(out)
    return edit


def _lock_step(
    original: dockerfile.Instruction,
    current: dockerfile.Instruction,
    copied_as: dict[str, str],
    lock_copied: bool,
    edit: DockerfileEdit,
    put: Callable[[dockerfile.Instruction, str], None],
) -> dockerfile.Instruction:
    """Turn the pip step that installs requirements.txt into one that installs requirements.lock with hashes."""
    start = original.start
    new: dict[int, str] = {}
    for i, command in enumerate(dockerfile.shell_commands(current)):
        text, why_not = lock_install(command, copied_as)
        if text is not None:
            new[i] = text
        elif why_not is not None:
            edit.manual.append(
                f"line {start}: {why_not}; install it from a hash lock by hand "
                f"(`pip install --require-hashes -r {LOCK_FILE}`, COPY it in first)"
            )
    if not new:
        return current
    rebuilt = _replace_commands(current, new)
    if rebuilt is None:
        edit.manual.append(
            f"line {start}: this RUN installs requirements.txt among commands migrate cannot split safely; "
            f"install {LOCK_FILE} with --require-hashes by hand (COPY it in first)"
        )
        return current
    if not lock_copied:
        rebuilt = f"COPY {LOCK_FILE} .\n" + rebuilt
    put(original, rebuilt)
    edit.notes.append(f"line {start}: installs {LOCK_FILE} with --require-hashes (every dependency hash-checked)")
    return dockerfile.parse(rebuilt)[-1]


def _reaches_only(entry: str, copy_dests: list[str], kept_dests: list[str]) -> bool:
    """A PYTHONPATH entry that led only to a removed copy: the copy's own folder (or below it), or the
    folder holding it when nothing else is copied into that folder."""
    if any(_under(entry, d) for d in copy_dests):
        return True
    holds_copy = any(posixpath.dirname(d) == entry for d in copy_dests)
    return holds_copy and not any(_under(d, entry) for d in kept_dests)
