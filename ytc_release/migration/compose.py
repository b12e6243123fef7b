"""Adding the `pipconf` build secret to a service's compose file.

ruamel.yaml edits the file round-trip: comments, key order, quoting and flow
lists survive, so the diff shows only the secret."""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ytc_release.errors import ComposeError

SECRET = "pipconf"
SECRET_FILE = "${YTC_PIPCONF:-/etc/ytcaption/pip.conf}"


def _yaml() -> YAML:
    yaml = YAML()  # round-trip
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def add_pipconf_secret(text: str) -> tuple[str, list[str]]:
    """The compose text with `pipconf` passed to every service that builds an image, and declared at the top.
    Returns (new text, names of the services changed). Unchanged text when every build already has it."""
    yaml = _yaml()
    try:
        doc = yaml.load(text)
    except Exception as err:  # ruamel's errors share no public base class worth naming
        raise ComposeError(f"not valid YAML: {err}") from err
    if not isinstance(doc, CommentedMap) or not isinstance(doc.get("services"), dict):
        return text, []
    changed = []
    builders = [(n, s) for n, s in doc["services"].items() if isinstance(s, dict) and "build" in s]
    if not builders:
        return text, []
    for name, service in builders:
        build = service["build"]
        if isinstance(build, str) or build is None:
            build = CommentedMap([("context", build or ".")])
            service["build"] = build
        secrets = build.get("secrets")
        if secrets is None:
            secrets = CommentedSeq()
            build["secrets"] = secrets
        if not any((s == SECRET) or (isinstance(s, dict) and s.get("source") == SECRET) for s in secrets):
            secrets.append(SECRET)
            changed.append(str(name))
    top = doc.get("secrets")
    if top is None:
        doc["secrets"] = top = CommentedMap()
    if SECRET not in top:
        top[SECRET] = CommentedMap([("file", SECRET_FILE)])
        changed = changed or ["(top-level secrets)"]
    if not changed:
        return text, []
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue(), changed


@dataclass
class ComposeEdit:
    text: str
    notes: list[str] = field(default_factory=list)  # "line N: ..." what changed
    manual: list[str] = field(default_factory=list)  # "line N: ..." left to the user
    # (Dockerfile, build context) of the builds moved to the service folder, as they were
    old_contexts: list[tuple[Path, Path]] = field(default_factory=list)


def _line(node: Any, key: Any) -> int:
    """1-based line of a mapping key or sequence index in the round-trip document (0 when unknown)."""
    with contextlib.suppress(Exception):
        return (node.lc.key(key) if isinstance(node, CommentedMap) else node.lc.item(key))[0] + 1
    return 0


def _host_path(source: str) -> bool:
    """The source of a short-syntax volume is a host path (not a named volume)."""
    return source.startswith((".", "/", "~", "$"))


def _split_volume(entry: Any) -> tuple[str, str] | None:
    """(host source, target) of a bind mount, short (`../app:/app/app:ro`) or long syntax."""
    if isinstance(entry, str):
        parts = entry.split(":")
        return (parts[0], parts[1]) if len(parts) >= 2 and _host_path(parts[0]) else None
    if isinstance(entry, dict) and entry.get("type", "bind") == "bind" and "source" in entry:
        source = str(entry["source"])
        return (source, str(entry.get("target", ""))) if _host_path(source) else None
    return None


def _with_source(entry: Any, old: str, new: str) -> Any:
    if isinstance(entry, str):
        return new + entry[len(old) :]
    entry["source"] = new
    return entry


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def rebase_compose(text: str, compose: Path, service: Path, library: Path | None) -> ComposeEdit:
    """The compose file with every build of one of the service's Dockerfiles from a context above the service
    folder rebuilt from the service folder itself, bind-mounts of the library removed; bind mounts that reach
    outside the service folder and PYTHONPATH entries that only reached the mounted copy reported.
    Paths are compared lexically (os.path.normpath), as compose resolves them."""
    edit = ComposeEdit(text)
    yaml = _yaml()
    try:
        doc = yaml.load(text)
    except Exception as err:  # ruamel's errors share no public base class worth naming
        raise ComposeError(f"not valid YAML: {err}") from err
    if not isinstance(doc, CommentedMap) or not isinstance(doc.get("services"), dict):
        return edit
    here = compose.parent
    changed = False

    def at(path: str) -> Path:
        return Path(os.path.normpath(here / os.path.expanduser(path)))

    for name, svc in doc["services"].items():
        if not isinstance(svc, dict):
            continue
        build = svc.get("build")
        if isinstance(build, str):
            build = CommentedMap([("context", build)])
        if isinstance(build, dict) and isinstance(build.get("context", "."), str):
            context = at(str(build.get("context", ".")))
            dockerfile = Path(os.path.normpath(context / str(build.get("dockerfile", "Dockerfile"))))
            line = _line(build, "context") or _line(svc, "build")
            if context != service and _inside(service, context) and _inside(dockerfile, service):
                edit.old_contexts.append((dockerfile, context))
                build["context"] = os.path.relpath(service, here)
                build["dockerfile"] = dockerfile.relative_to(service).as_posix()
                svc["build"] = build
                edit.notes.append(
                    f"line {line}: {name}: builds from the service folder (context {build['context']}, "
                    f"dockerfile {build['dockerfile']})"
                )
                changed = True
            elif not _inside(context, service):
                edit.manual.append(f"line {line}: {name}: build context {context} is outside the service folder")
        volumes = svc.get("volumes")
        removed: list[str] = []
        if isinstance(volumes, list):
            for index in reversed(range(len(volumes))):
                mount = _split_volume(volumes[index])
                if mount is None:
                    continue
                source, target = mount
                line = _line(volumes, index)
                host = at(source) if not source.startswith("$") else None
                is_copy = host is not None and (
                    (library is not None and _inside(host, library)) or host.name == "common"
                )
                if is_copy:
                    del volumes[index]
                    removed.append(target)
                    edit.notes.append(f"line {line}: {name}: removed the bind-mount of the library `{source}:{target}`")
                    changed = True
                elif host is None:
                    edit.manual.append(f"line {line}: {name}: bind mount `{source}` comes from a variable; check it")
                elif source.startswith(("/", "~")):
                    edit.manual.append(
                        f"line {line}: {name}: bind-mounts the absolute host path {source}: it exists only on a"
                        " machine laid out like this one"
                    )
                elif _inside(host, service) and not source.startswith(("/", "~")):
                    shorter = os.path.relpath(host, here) + ("/" if source.endswith("/") else "")
                    if os.path.normpath(shorter) != os.path.normpath(source):
                        # `../../../services/se8/app/` from docker/: inside the folder, written through the root
                        volumes[index] = _with_source(volumes[index], source, shorter)
                        edit.notes.append(f"line {line}: {name}: bind mount `{source}` -> `{shorter}`")
                        changed = True
                elif not _inside(host, service):
                    edit.manual.append(
                        f"line {line}: {name}: bind-mounts {source}, outside the service folder; a VM that holds"
                        " only this folder has no such path"
                    )
            if not volumes:
                del svc["volumes"]
        edit.manual += _pythonpath_notes(svc, name, removed)
    edit.manual.sort(key=lambda note: int(note.split(":", 1)[0].removeprefix("line ") or 0))
    if changed:
        out = io.StringIO()
        yaml.dump(doc, out)
        edit.text = out.getvalue()
    return edit


def _pythonpath_notes(svc: dict, name: str, removed: list[str]) -> list[str]:
    environment = svc.get("environment")
    if not removed or environment is None:
        return []
    if isinstance(environment, dict):
        items = [(_line(environment, k), str(k), str(v)) for k, v in environment.items()]
    else:
        items = [(_line(environment, i), *str(e).partition("=")[::2]) for i, e in enumerate(environment)]
    notes = []
    for line, key, value in items:
        if key != "PYTHONPATH":
            continue
        for entry in value.split(":"):
            entry = entry.rstrip("/")
            if entry and any(entry == t.rstrip("/") or entry.startswith(t.rstrip("/") + "/") for t in removed):
                notes.append(
                    f"line {line}: {name}: PYTHONPATH entry {entry} only reached the mounted copy (removed); drop it"
                )
    return notes
