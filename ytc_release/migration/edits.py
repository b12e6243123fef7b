"""The text edits `migrate` makes to requirements files and Dockerfiles.
Pure functions: text in, text out, plus notes for the report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ytc_release.services.pins import pin_pattern
from ytc_release.toolkit import dockerfile

_EDITABLE = re.compile(r"^(-e|--editable)(\s+|=)", re.IGNORECASE)


def is_copy_requirement(line: str) -> bool:
    """`-e ./common`, `-e ../../common`, `./common`, `file:../common`, `common @ file:///app/common`:
    an install of a `common` folder by path."""
    spec = line.split(" #", 1)[0].strip()
    if not spec or spec.startswith("#"):
        return False
    spec = _EDITABLE.sub("", spec).strip()
    if "@" in spec and not spec.startswith(("file:", ".", "/")):
        spec = spec.split("@", 1)[1].strip()
    spec = spec.removeprefix("file://").removeprefix("file:")
    if not spec.startswith((".", "/", "common")):
        return False
    return dockerfile.is_common_path(spec.split("[", 1)[0].split("#egg=", 1)[0])


def pin_requirements(text: str, version: str, *, must_pin: bool, distribution: str) -> tuple[str, list[str]]:
    """Replace each path install of a copy by the exact pin (once; later ones are dropped).
    With ``must_pin``, a file without any pin gets one appended. Returns (text, notes)."""
    pin = f"{distribution}=={version}"
    lines = text.splitlines(keepends=True)
    notes: list[str] = []
    has_pin = any(pin_pattern(distribution).match(line) for line in lines)
    out: list[str] = []
    for number, line in enumerate(lines, 1):
        if is_copy_requirement(line):
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


@dataclass
class DockerfileEdit:
    text: str
    notes: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)  # "line N: ..." the user must do
    requirement_files: list[str] = field(
        default_factory=list
    )  # -r files its pip steps install, as in the build context


def _mentions_common(instruction: dockerfile.Instruction) -> bool:
    return instruction.name == "COMMENT" and "common" in instruction.value.lower()


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
    return re.sub(r"^(\s*RUN\s+)", rf"\g<1>{dockerfile.PIPCONF_MOUNT} ", first_line, count=1, flags=re.IGNORECASE)


def edit_dockerfile(text: str) -> DockerfileEdit:
    instructions = dockerfile.parse(text)
    lines = text.splitlines(keepends=True)
    replace: dict[int, str] = {}  # first line (1-based) -> new text for the instruction's whole range
    delete: set[int] = set()
    edit = DockerfileEdit(text)

    def drop(index: int) -> None:
        instruction = instructions[index]
        delete.update(range(instruction.start, instruction.end + 1))
        j = index - 1  # the comments right above that talk about the copy go with it
        while j >= 0 and _mentions_common(instructions[j]) and instructions[j].end == instructions[j + 1].start - 1:
            delete.update(range(instructions[j].start, instructions[j].end + 1))
            j -= 1

    copied_as: dict[str, str] = {}  # file name in the image -> its source in the build context
    for index, instruction in enumerate(instructions):
        if instruction.name in {"COPY", "ADD"}:
            flags, args = dockerfile.flags_and_args(instruction.value)
            if len(args) == 2 and not args[1].endswith("/") and not any(f.startswith("--from=") for f in flags):
                copied_as[args[1].rsplit("/", 1)[-1]] = args[0]
        if dockerfile.copies_common(instruction):
            drop(index)
            edit.notes.append(f"line {instruction.start}: removed `{instruction.name} {instruction.value}`")
            continue
        if instruction.name != "RUN":
            continue
        for command in dockerfile.shell_commands(instruction):
            for name in dockerfile.requirement_files(command):
                source = copied_as.get(name.rsplit("/", 1)[-1], name)  # COPY x/requirements-docker.txt requirements.txt
                if source not in edit.requirement_files:
                    edit.requirement_files.append(source)
        copy_steps = dockerfile.installs_the_copy(instruction)
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
                replace[instruction.start] = rebuilt
                delete.update(range(instruction.start + 1, instruction.end + 1))
                edit.notes.append(f"line {instruction.start}: dropped the install of the copy from this RUN")
                current = dockerfile.parse(rebuilt)[0]
        if dockerfile.installs_requirements(current) and not dockerfile.has_pipconf_mount(current):
            block = replace.get(instruction.start) or "".join(lines[instruction.start - 1 : instruction.end])
            replace[instruction.start] = _add_mount(block)
            delete.update(range(instruction.start + 1, instruction.end + 1))
            edit.notes.append(f"line {instruction.start}: this pip step now mounts the `pipconf` secret")
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
