"""Keeping passwords out of everything we print."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]+):(?P<password>[^@/\s]+)@")

# Passwords registered here are masked wherever they show up in output.
_known: set[str] = set()


def register_secret(secret: str | None) -> None:
    if secret and len(secret) >= 4:
        _known.add(secret)


def mask_url(url: str) -> str:
    """http://user:pw@host/ -> http://user:***@host/"""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{netloc}"))


def mask_secrets(text: str) -> str:
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)
    for secret in _known:
        text = text.replace(secret, "***")
    return text
