"""Reading Dockerfiles with a real parser (dockerfile-parse, maintained by the
containerbuildsystem project for its image build service), so `check`, `migrate` and `smoke` agree on
what an instruction is: continuation lines joined, comments never mistaken for
instructions, JSON and shell forms both understood.

Everything here is read-only; `migrate` edits by the line ranges it returns."""

from __future__ import annotations

import io
import json
import posixpath
import re
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from dockerfile_parse import DockerfileParser

PIPCONF_MOUNT = "--mount=type=secret,id=pipconf,target=/etc/pip.conf"
_SHELL_SPLIT = {"&&", "||", ";", "|"}
_SHELL_KEYWORDS = {"then", "else", "do", "!"}
_PYTHON = re.compile(r"^(.*/)?python(\d(\.\d+)?)?$")
_PIP = re.compile(r"^(.*/)?pip(\d(\.\d+)?)?$")
# The Python that distributions' base images ship.
# python:3, python:latest: some current 3.x, newer than any floor but not one version.
UNSPECIFIED_PYTHON = (3, 99)
_DEBIAN_PYTHON = {"bookworm": (3, 11), "12": (3, 11), "bullseye": (3, 9), "11": (3, 9), "buster": (3, 7), "10": (3, 7)}
_DEBIAN_PYTHON |= {"trixie": (3, 13), "13": (3, 13)}
_UBUNTU_PYTHON = {"18.04": (3, 6), "20.04": (3, 8), "22.04": (3, 10), "24.04": (3, 12)}
_UBUNTU_PYTHON |= {"bionic": (3, 6), "focal": (3, 8), "jammy": (3, 10), "noble": (3, 12)}


@dataclass(frozen=True)
class Instruction:
    name: str  # upper-case: FROM, RUN, COPY, CMD, ... or COMMENT
    value: str  # continuation lines joined, as the parser gives it
    start: int  # first line, 1-based
    end: int  # last line, 1-based, inclusive
    content: str  # the original text of those lines


def parse(text: str) -> list[Instruction]:
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    return [
        Instruction(
            item["instruction"].upper(), item["value"], item["startline"] + 1, item["endline"] + 1, item["content"]
        )
        for item in parser.structure
    ]


def parse_file(path: Path) -> list[Instruction]:
    return parse(path.read_text(encoding="utf-8"))


def _words(value: str) -> list[str]:
    try:
        return shlex.split(value, comments=False)
    except ValueError:
        return value.split()


def _exec_form(value: str) -> list[str] | None:
    stripped = value.strip()
    if stripped.startswith("["):
        try:
            loaded = json.loads(stripped)
        except json.JSONDecodeError:
            return None
        if isinstance(loaded, list) and all(isinstance(x, str) for x in loaded):
            return loaded
    return None


def split_instruction(value: str) -> tuple[list[str], list[str], bool]:
    """`--chown=1 --mount=... a b` -> (flags, args, exec_form); the JSON (exec) form is understood."""
    rest = value.strip()
    flags = []
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        flags.append(flag)
        rest = rest.lstrip()
    exec_form = _exec_form(rest)
    if exec_form is not None:
        return flags, exec_form, True
    return flags, _words(rest), False


def flags_and_args(value: str) -> tuple[list[str], list[str]]:
    flags, args, _ = split_instruction(value)
    return flags, args


# The name every copy of the library was imported and copied as.
COPY_NAME = "common"


def is_common_path(path: str) -> bool:
    """`common`, `common/`, `./common`, `../common`, `shared/common/`, `../../common/x` - a path through a `common` folder."""
    parts = PurePosixPath(path.strip().strip('"')).parts
    return COPY_NAME in parts


def is_library_path(path: str, names: tuple[str, ...] = ()) -> bool:
    """A path to a copy of the library: through a `common` folder (above), or one that starts with one of
    ``names`` (the library's folder and import names: `shared/`, `./shared`), or an absolute one
    directly below a top folder (`/app/shared`, `/app/common`, `/common`). `app/shared/` (a service's own
    package) and `/app/app/shared` are not: a name counts only at the start of the path."""
    if is_common_path(path):
        return True
    cleaned = path.strip().strip('"')
    parts = [p for p in PurePosixPath(cleaned).parts if p not in {"/", "."}]
    if not parts or not names:
        return False
    if cleaned.startswith("/"):
        return len(parts) <= 2 and parts[-1] in names
    return parts[0] in names


def copies_library(instruction: Instruction, names: tuple[str, ...] = ()) -> bool:
    """A COPY/ADD of the library: a source from the build context that `is_library_path`, or one
    from another build stage at an absolute copy path (`COPY --from=build /app/common /app/common`)."""
    if instruction.name not in {"COPY", "ADD"}:
        return False
    flags, args = flags_and_args(instruction.value)
    if len(args) < 2:
        return False
    if any(f.startswith("--from=") for f in flags):
        return bool(names) and all(s.startswith("/") and is_library_path(s, names) for s in args[:-1])
    return any(is_library_path(src, names) for src in args[:-1])


def copies_common(instruction: Instruction) -> bool:
    """A COPY/ADD (not from another build stage) whose source is, or lies inside, a `common` folder."""
    return copies_library(instruction)


def shell_commands(instruction: Instruction) -> list[list[str]]:
    """The simple commands of a RUN, split at `&&`, `||`, `;`, `|` (flags such as --mount removed)."""
    if instruction.name != "RUN":
        return []
    _, args, exec_form = split_instruction(instruction.value)
    if exec_form:
        return [args] if args else []
    commands: list[list[str]] = [[]]
    for word in args:
        if word in _SHELL_SPLIT:
            commands.append([])
        elif word.endswith(";") and len(word) > 1:
            commands[-1].append(word[:-1])
            commands.append([])
        else:
            commands[-1].append(word)
    return [c for c in commands if c]


def pip_install_args(command: list[str]) -> list[str] | None:
    """The arguments after `install` when ``command`` is `pip install`, `pip3 install` or `python -m pip install`."""
    words = list(command)
    while words and words[0] in _SHELL_KEYWORDS:  # `if ...; then pip install -r a.txt; else ...`
        words.pop(0)
    while words and "=" in words[0] and not words[0].startswith("-"):  # FOO=bar pip install ...
        words.pop(0)
    if len(words) >= 2 and _PIP.match(words[0]) and words[1] == "install":
        return words[2:]
    if len(words) >= 4 and _PYTHON.match(words[0]) and words[1:4] == ["-m", "pip", "install"]:
        return words[4:]
    return None


def _option_values(args: list[str], *names: str) -> list[str]:
    values = []
    for i, word in enumerate(args):
        for name in names:
            if word == name and i + 1 < len(args):
                values.append(args[i + 1])
            elif word.startswith(name + "="):
                values.append(word.split("=", 1)[1])
            elif name.startswith("-") and not name.startswith("--") and word.startswith(name) and len(word) > len(name):
                values.append(word[len(name) :])
    return values


def requirement_files(command: list[str]) -> list[str]:
    args = pip_install_args(command)
    return [] if args is None else _option_values(args, "-r", "--requirement")


def constraint_files(command: list[str]) -> list[str]:
    args = pip_install_args(command)
    return [] if args is None else _option_values(args, "-c", "--constraint")


def installs_requirements(instruction: Instruction) -> bool:
    return any(requirement_files(c) for c in shell_commands(instruction))


def has_pipconf_mount(instruction: Instruction) -> bool:
    flags, _ = flags_and_args(instruction.value)
    return any(f.startswith("--mount=") and "type=secret" in f and "id=pipconf" in f for f in flags)


def installs_the_copy(instruction: Instruction, names: tuple[str, ...] = ()) -> list[int]:
    """Indexes of the commands of a RUN that install a copy of the library: `cd /app/common && pip install .`,
    `pip install ./common`, `pip install -e /app/common`, `pip install /app/shared` with ``names``
    (the `cd` counted with its install)."""
    found: list[int] = []
    in_common: int | None = None
    for i, command in enumerate(shell_commands(instruction)):
        if command[0] == "cd":
            in_common = i if len(command) > 1 and is_library_path(command[1], names) else None
            continue
        args = pip_install_args(command)
        if args is None:
            continue
        targets = [a for a in args if not a.startswith("-")]
        requirement_like = set(_option_values(args, "-r", "--requirement", "-c", "--constraint"))
        targets = [t for t in targets if t not in requirement_like]
        if any(is_library_path(t, names) for t in targets) or (in_common is not None and "." in targets):
            if in_common is not None:
                found.append(in_common)
            found.append(i)
    return sorted(set(found))


def command_of(instructions: list[Instruction]) -> list[str] | None:
    """What the image runs: ENTRYPOINT + CMD (the last of each), both forms; None when there is no CMD."""
    entry: list[str] = []
    cmd: list[str] | None = None
    for instruction in instructions:
        if instruction.name in {"ENTRYPOINT", "CMD"}:
            argv = _exec_form(instruction.value)
            if argv is None:
                argv = ["/bin/sh", "-c", instruction.value]
            if instruction.name == "ENTRYPOINT":
                entry = argv
            else:
                cmd = argv
    if cmd is None and not entry:
        return None
    argv = [*entry, *(cmd or [])]
    # A shell-form CMD of plain words (`python run.py`) runs the same without the shell.
    if argv[:2] == ["/bin/sh", "-c"] and len(argv) == 3 and not re.search(r"[$&|;<>`*?()]", argv[2]):
        return _words(argv[2])
    return argv


def base_images(instructions: list[Instruction]) -> list[tuple[int, str]]:
    """(line, image) of every FROM that names an image (not an earlier build stage)."""
    stages: set[str] = set()
    found = []
    for instruction in instructions:
        if instruction.name != "FROM":
            continue
        _, args = flags_and_args(instruction.value)
        if not args:
            continue
        image = args[0]
        if len(args) >= 3 and args[1].lower() == "as":
            stages.add(args[2].lower())
        if image.lower() not in stages:
            found.append((instruction.start, image))
    return found


def env_of(instructions: list[Instruction]) -> dict[str, str]:
    """The ENV the image sets (both `ENV A=b C=d` and `ENV A b`), ${...} references left as written."""
    env: dict[str, str] = {}
    for instruction in instructions:
        if instruction.name != "ENV":
            continue
        words = _words(instruction.value)
        if words and "=" not in words[0]:
            env[words[0]] = " ".join(words[1:])
            continue
        for word in words:
            if "=" in word:
                key, val = word.split("=", 1)
                env[key] = val
    return env


def created_dirs(instructions: list[Instruction]) -> list[str]:
    """Folders the image creates with `RUN mkdir`, relative to the WORKDIR in effect (absolute ones
    below it made relative; others outside it skipped): an app may need its logs/ to exist."""
    workdir = "/"
    found: list[str] = []
    for instruction in instructions:
        if instruction.name == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, instruction.value.strip()))
        for command in shell_commands(instruction):
            if command[0] != "mkdir":
                continue
            for arg in command[1:]:
                if arg.startswith("-") or "$" in arg:
                    continue
                # normpath folds `..`: `mkdir ../../x` must not name a folder outside the WORKDIR
                path = PurePosixPath(posixpath.normpath(posixpath.join(workdir, arg)))
                if path.is_relative_to(workdir) and path != PurePosixPath(workdir):
                    found.append(path.relative_to(workdir).as_posix())
    return found


def base_image_python(image: str) -> tuple[int, int] | None:
    """The Python of a base image when the image says (python:3.9-slim, ubuntu:22.04, debian:bookworm, ...)."""
    name, _, tag = image.split("@", 1)[0].partition(":")
    short = name.rsplit("/", 1)[-1]
    tag = tag or "latest"
    if short == "python":
        parts = tag.split("-", 1)[0].split(".")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            return int(parts[0]), int(parts[1])
        return UNSPECIFIED_PYTHON if tag.split("-", 1)[0] in {"3", "latest", "slim", "alpine", "bookworm"} else None
    if short == "ubuntu":
        return _UBUNTU_PYTHON.get(tag)
    if short == "debian":
        return _DEBIAN_PYTHON.get(tag.split("-", 1)[0])
    for release, version in _UBUNTU_PYTHON.items():  # nvidia/cuda:12.1.0-runtime-ubuntu22.04 and friends
        if f"ubuntu{release}" in tag:
            return version
    return None


_EXPLICIT_PYTHON = re.compile(r"(?<![\w.-])python(3\.\d+)(?![\w.])")


def image_python(instructions: list[Instruction]) -> tuple[int, int] | None:
    """The Python the image runs: an interpreter its last stage names explicitly (`apt-get install python3.11`,
    `python3.11 -m pip`, on a CUDA/Ubuntu base whose own python3 is older), else its last base image's."""
    images = base_images(instructions)
    last_from = max((i.start for i in instructions if i.name == "FROM"), default=0)
    named = [
        m[1]
        for i in instructions
        if i.name in {"RUN", "CMD", "ENTRYPOINT"} and i.start >= last_from
        for m in _EXPLICIT_PYTHON.finditer(i.value)
    ]
    stages_named = [
        m[1] for i in instructions if i.name in {"RUN", "CMD", "ENTRYPOINT"} for m in _EXPLICIT_PYTHON.finditer(i.value)
    ]
    chosen = named or stages_named  # a final stage built FROM an earlier one inherits its interpreter
    if chosen:
        major, minor = chosen[-1].split(".")
        return int(major), int(minor)
    return base_image_python(images[-1][1]) if images else None
