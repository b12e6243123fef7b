"""What the index says of a project's files: each file's sha256 and, when the index keeps
them (ours does), the provenance record its upload carried (`_ytc-provenance` on the
PEP 691 JSON page). A stock index answers HTML or omits the key: then no file has a record."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urljoin

from ytc_index.provenance import PAGE_KEY
from ytc_release.errors import CredentialsError, IndexUnreachableError
from ytc_release.index import client
from ytc_release.target import IndexTarget
from ytc_release.toolkit import web

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
_ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"


@dataclass(frozen=True)
class ServedFile:
    filename: str
    url: str
    sha256: str | None
    record: dict[str, Any] | None  # None: uploaded without one, or an index that keeps none


@dataclass(frozen=True)
class Served:
    files: tuple[ServedFile, ...]
    json_page: bool  # False: the index answered HTML only (it cannot show records)

    @property
    def keeps_records(self) -> bool:
        return any(f.record is not None for f in self.files)

    def of_version(self, version: str) -> list[ServedFile]:
        return [f for f in self.files if client.version_of(f.filename) == version]


def _content_type(value: str) -> str:
    message = Message()
    message["Content-Type"] = value
    return message.get_content_type()


def served_files(target: IndexTarget, project: str) -> Served:
    page = urljoin(target.simple_url, f"{project}/")
    try:
        resp = web.request(
            "GET", page, headers={"Accept": _ACCEPT}, auth=target.simple_auth, cafile=target.ca_bundle, timeout=30
        )
    except OSError as err:
        raise IndexUnreachableError(f"the index at {target.describe()} cannot be reached: {err}") from err
    if resp.status in (401, 403):
        raise CredentialsError(
            f"the index refused to list {project} with the configured credentials (HTTP {resp.status})"
        )
    if resp.status == 404 or 300 <= resp.status < 400:
        return Served((), json_page=False)
    if resp.status != 200:
        raise IndexUnreachableError(f"the index answered HTTP {resp.status} for {page}")
    if _content_type(resp.headers.get("Content-Type", "")) != JSON_TYPE:
        listed = client.parse_listing(resp.text, page)
        return Served(tuple(ServedFile(f.filename, f.url, f.sha256, None) for f in listed), json_page=False)
    data = json.loads(resp.body)
    files = []
    for entry in data.get("files", []):
        record = entry.get(PAGE_KEY)
        files.append(
            ServedFile(
                entry["filename"],
                urljoin(page, entry["url"]),
                (entry.get("hashes") or {}).get("sha256"),
                record if isinstance(record, dict) else None,
            )
        )
    return Served(tuple(files), json_page=True)
