"""The one reader (and writer) of .pypirc files, with twine's conventions: no
`%` interpolation (passwords may hold `%`), one section per repository, read
with its `repository`, `username`, `password` and `ca_cert` keys. Which file
(TWINE_CONFIG_FILE, else ~/.pypirc) is the settings' answer (IndexConfig.config_file)."""

from __future__ import annotations

import configparser
import os
from pathlib import Path


def read_repository(path: Path, name: str) -> dict[str, str] | None:
    """The [name] section of the file at ``path``; None when it has none.
    Raises FileNotFoundError when there is no file."""
    config = configparser.ConfigParser(interpolation=None)
    if not config.read(path):
        raise FileNotFoundError(path)
    return dict(config[name]) if name in config else None


def write_repository(path: Path, name: str, fields: dict[str, str]) -> None:
    """A .pypirc holding one repository, written atomically with mode 0600 (it holds a password)."""
    config = configparser.ConfigParser(interpolation=None)
    config["distutils"] = {"index-servers": name}
    config[name] = fields
    staged = path.with_suffix(".tmp")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        config.write(fh)
    os.replace(staged, path)
