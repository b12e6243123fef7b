"""Adding the `pipconf` build secret to a service's compose file.

ruamel.yaml edits the file round-trip: comments, key order, quoting and flow
lists survive, so the diff shows only the secret."""

from __future__ import annotations

import io

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
