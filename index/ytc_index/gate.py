"""The outermost WSGI layer: who may do what, and only whole uploads.

Runs before every other guard, so that with read auth on an anonymous request
gets 401 before any name-dependent answer (a private 404 included). For an
upload it checks, before pypiserver's parser sees a byte:

- a login, not throttled (429), with the `publisher` role (403 naming the role);
- the action is `file_upload`: `remove_pkg` and `doc_upload` are refused,
  releases are immutable over HTTP;
- the body is read to its Content-Length and ends with the closing multipart
  boundary (a truncated upload is a 400, never a stored file);
- exactly one file part, whose filename is acceptable (no NUL, no hidden or
  over-long names), so that malformed requests get a 4xx, never a 500;
- no field that the gate or pypiserver reads appears twice (the gate would read
  the first, pypiserver the last), and the form's `name`, `version` and
  `sha256_digest` (twine sends them) agree with the file.

Reads are judged on the normalised path (`//`, `.` and `..` resolved), the path
nginx serves; behind nginx (YTC_INDEX_TRUSTED_PROXY) the failed-login brake counts
the client nginx names in X-Real-IP."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import ipaddress
from collections.abc import Callable, Iterable
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import collapse_rfc2231_value
from typing import Any
from urllib.parse import urlsplit

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ytc_index.auth import Authenticator, Verdict
from ytc_index.names import filename_problem, release_key
from ytc_index.roles import PUBLISHER
from ytc_index.settings import IndexSettings

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
REFUSED_ACTIONS = ("remove_pkg", "doc_upload")
# Where nginx asks whether a read, or an upload (from its headers alone), is allowed (auth_request).
READ_CHECK = "/-/read-check"
UPLOAD_CHECK = "/-/upload-check"
# Form fields read by the gate or by pypiserver: each at most once (twine repeats list fields
# such as `classifiers`, which nobody here reads).
SINGLE_FIELDS = (":action", "content", "name", "version", "sha256_digest", "md5_digest", "filetype", "pyversion")
# Longer credentials are refused outright (bcrypt reads 72 bytes; passlib raises beyond 4096).
MAX_CREDENTIAL_CHARS = 1024


class Refused(Exception):
    def __init__(self, status: str, message: str, headers: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or []


def answer(start_response: Callable[..., Any], err: Refused) -> list[bytes]:
    body = (err.message.rstrip("\n") + "\n").encode()
    start_response(
        err.status,
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))), *err.headers],
    )
    return [body]


def normalised(path: str) -> str:
    """The path as nginx serves it: empty and `.` segments dropped, `..` resolved."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    tail = "/" if segments and (path.endswith("/") or path.endswith("/.") or path.endswith("/..")) else ""
    return "/" + "/".join(segments) + tail


def action_of(method: str, path: str) -> str | None:
    """pypiserver's auth action for a request (None: open to all, e.g. /health)."""
    if path == "/health":
        return None
    if method == "POST":
        return "list" if path.rstrip("/") == "/RPC2" else "update"
    if path.startswith("/packages/") and path != "/packages/":
        return "download"
    return "list"


def basic_credentials(environ: dict[str, Any]) -> tuple[str, str] | None:
    header = environ.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or len(token) > 2 * MAX_CREDENTIAL_CHARS:
        return None
    try:
        user, sep, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep and user else None


class AccessGate:
    def __init__(self, app: WSGIApp, settings: IndexSettings, auth: Authenticator) -> None:
        self.app = app
        self.settings = settings
        self.auth = auth
        self.max_body = settings.max_upload_mb * 1024 * 1024
        self.trusted_proxies = tuple(ipaddress.ip_network(p, strict=False) for p in settings.trusted_proxy)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == READ_CHECK:
            return self._read_check(environ, start_response)
        if environ.get("PATH_INFO") == UPLOAD_CHECK:
            return self._upload_check(environ, start_response)
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
        try:
            if method == "POST" and path.rstrip("/") == "/RPC2":
                # pypiserver's XML-RPC (`pip search`, retired by pip and PyPI) fails with a 500 on bad XML.
                raise Refused("404 Not Found", "XML-RPC search is not offered: browse /simple/ instead")
            # The raw path and the normalised one (what nginx would serve): a login for either's action.
            actions = {action_of(method, path), action_of(method, normalised(path))}
            for action in sorted(a for a in actions if a in self.settings.authenticate):
                self._login(environ, action)
            if "update" in actions:
                self._whole_upload(environ)
        except Refused as err:
            return answer(start_response, err)
        return self.app(environ, start_response)

    def client_of(self, environ: dict[str, Any]) -> str:
        """Who failed logins are counted against: the peer, or behind a trusted proxy
        (YTC_INDEX_TRUSTED_PROXY) the client it names in X-Real-IP."""
        peer = environ.get("REMOTE_ADDR", "?")
        named = (environ.get("HTTP_X_REAL_IP") or "").strip()
        if named and len(named) <= 64 and self.trusted_proxies:
            try:
                address = ipaddress.ip_address(peer)
            except ValueError:
                return peer
            if any(address in network for network in self.trusted_proxies):
                return named
        return peer

    def _read_check(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """nginx's auth_request: may this client read X-Original-URI (the normalised path
        nginx matched; X-Read-Action says which read it is)? 204, or the 401/403/429 the
        read itself would get (index/nginx/ytc-index.conf.template)."""
        path = normalised(urlsplit(environ.get("HTTP_X_ORIGINAL_URI") or "/simple/").path)
        stated = environ.get("HTTP_X_READ_ACTION", "")
        action = stated if stated in ("list", "download") else action_of("GET", path)
        try:
            if action in self.settings.authenticate:
                self._login(environ, action or "list")
        except Refused as err:
            return answer(start_response, err)
        start_response("204 No Content", [])
        return [b""]

    def _upload_check(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """nginx's auth_request before it reads an upload's body: 204 if this login may
        publish, else the 401/403/429 the upload would get."""
        path = normalised(urlsplit(environ.get("HTTP_X_ORIGINAL_URI") or "/").path)
        try:
            if action_of("POST", path) == "update":
                self._login(environ, "update")
        except Refused as err:
            return answer(start_response, err)
        start_response("204 No Content", [])
        return [b""]

    def _login(self, environ: dict[str, Any], action: str) -> None:
        creds = basic_credentials(environ)
        if creds is None:
            raise Refused(
                "401 Unauthorized",
                f"this index needs a login to {action}: give pip/twine an account (see index/README.md)",
                [("WWW-Authenticate", 'Basic realm="pypi"')],
            )
        user, password = creds
        if len(user) > MAX_CREDENTIAL_CHARS or len(password) > MAX_CREDENTIAL_CHARS:
            raise Refused(
                "403 Forbidden",
                f"the user name or password is longer than {MAX_CREDENTIAL_CHARS} characters: use the account's "
                "real password (the index operator can reset it)",
            )
        client = self.client_of(environ)
        verdict = self.auth.check(client, user, password)
        if verdict is Verdict.THROTTLED:
            raise Refused(
                "429 Too Many Requests",
                "too many failed logins from this address: wait, then retry with the right password",
                [("Retry-After", str(self.auth.retry_after(client)))],
            )
        if verdict is Verdict.BAD:
            raise Refused("403 Forbidden", "wrong user name or password: check the account with the index operator")
        if action == "update":
            role = self.auth.role_of(user)
            if role != PUBLISHER:
                raise Refused(
                    "403 Forbidden",
                    f"account {user!r} has the role {role!r}, which may only list and download; uploads need "
                    f"a {PUBLISHER!r} account (operator: `ytc-release index set-role {user} {PUBLISHER}`)",
                )
        environ["REMOTE_USER"] = user

    def _whole_upload(self, environ: dict[str, Any]) -> None:
        ctype = Message()
        ctype["Content-Type"] = environ.get("CONTENT_TYPE", "")
        boundary = ctype.get_param("boundary")
        if (
            ctype.get_content_type() != "multipart/form-data"
            or not isinstance(boundary, str)
            or not boundary.isascii()
            or not 0 < len(boundary) <= 70  # RFC 2046
        ):
            raise Refused("400 Bad Request", "an upload must be multipart/form-data with a boundary (as twine sends)")
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            raise Refused("411 Length Required", "an upload needs a Content-Length header") from None
        if length < 0 or length > self.max_body:
            raise Refused(
                "413 Content Too Large",
                f"uploads are limited to {self.settings.max_upload_mb} MB (YTC_INDEX_MAX_UPLOAD_MB)",
            )
        body = _read_exactly(environ["wsgi.input"], length)
        environ["wsgi.input"] = io.BytesIO(body)  # what pypiserver reads: exactly the bytes checked here
        environ["CONTENT_LENGTH"] = str(length)
        parts = _multipart_parts(body, boundary.encode("ascii"))
        seen = [name for name, _, _ in parts]
        repeated = sorted({name for name in seen if name in SINGLE_FIELDS and seen.count(name) > 1})
        if repeated:
            raise Refused(
                "400 Bad Request",
                f"the form repeats the field(s) {', '.join(repeated)}: send each once (as twine does)",
            )
        action = bytes(next((value for name, _, value in parts if name == ":action"), b"")).decode("utf-8", "replace")
        if action in REFUSED_ACTIONS:
            raise Refused(
                "403 Forbidden",
                f"{action} is refused: released files are immutable over HTTP. Removing or yanking a "
                "version is an operator act on the index host (`ytc-release index remove|yank NAME VERSION`)",
            )
        if action == "verify":  # a no-op: clients (our release preflight) use it to test a login
            return
        if action != "file_upload":
            raise Refused(
                "400 Bad Request", f"unsupported :action {action!r}: only file_upload (and verify) are accepted"
            )
        files = [(name, filename) for name, filename, _ in parts if filename is not None]
        if [name for name, _ in files] != ["content"]:
            raise Refused(
                "400 Bad Request", "an upload carries exactly one file, in the 'content' field (no signature)"
            )
        filename = files[0][1] or ""
        problem = filename_problem(filename)
        if problem:
            raise Refused("400 Bad Request", f"bad filename: {problem}")
        _form_agrees(filename, {name: value for name, _, value in parts})


def _form_agrees(filename: str, fields: dict[str, bytes | memoryview]) -> None:
    """The form's name, version and sha256_digest (when sent) describe the file it carries."""
    key = release_key(filename)
    assert key is not None  # filename_problem checked it
    name = bytes(fields.get("name", b"")).decode("utf-8", "replace").strip()
    if name and canonicalize_name(name) != key[0]:
        raise Refused("400 Bad Request", f"the form says name {name!r}, the file {filename!r}: upload with twine")
    version = bytes(fields.get("version", b"")).decode("utf-8", "replace").strip()
    if version:
        try:
            agrees = Version(version) == Version(key[1])
        except InvalidVersion:
            agrees = False
        if not agrees:
            raise Refused(
                "400 Bad Request", f"the form says version {version!r}, the file {filename!r}: upload with twine"
            )
    digest = bytes(fields.get("sha256_digest", b"")).decode("ascii", "replace").strip().lower()
    if digest and not hmac.compare_digest(digest, hashlib.sha256(fields["content"]).hexdigest()):
        raise Refused(
            "400 Bad Request",
            "the file's sha256 differs from the form's sha256_digest: it was damaged on the way, upload it again",
        )


def _read_exactly(stream: Any, length: int) -> bytes:
    buf = bytearray()
    while len(buf) < length:
        chunk = stream.read(min(1 << 20, length - len(buf)))
        if not chunk:
            raise Refused(
                "400 Bad Request",
                f"the upload ended after {len(buf)} of {length} bytes (Content-Length): nothing was stored, retry it",
            )
        buf += chunk
    return bytes(buf)


def _multipart_parts(body: bytes, boundary: bytes) -> list[tuple[str, str | None, bytes | memoryview]]:
    """[(field name, filename or None, value)]; files' values are views, not copies.
    Only the structure is checked here; pypiserver parses the same bytes."""
    delim = b"--" + boundary
    sep = b"\r\n" + delim
    incomplete = Refused(
        "400 Bad Request", "the multipart body lacks its closing boundary: the upload is incomplete, retry it"
    )
    if not body.startswith(delim):
        raise Refused("400 Bad Request", "the multipart body does not start with its boundary")
    if not body.rstrip(b"\r\n").endswith(sep + b"--"):
        raise incomplete
    parts: list[tuple[str, str | None, bytes | memoryview]] = []
    pos = len(delim)
    while body[pos : pos + 2] != b"--":
        end = body.find(sep, pos)
        if end < 0:
            raise incomplete
        head_end = body.find(b"\r\n\r\n", pos, end)
        if head_end < 0:
            raise Refused("400 Bad Request", "a multipart part has no header/body separator")
        headers = BytesHeaderParser().parsebytes(body[pos:head_end].lstrip(b"\r\n") + b"\r\n\r\n")
        name = headers.get_param("name", header="content-disposition")
        filename = headers.get_filename()
        if name is None:
            raise Refused("400 Bad Request", "a multipart part has no Content-Disposition name")
        value = memoryview(body)[head_end + 4 : end] if filename is not None else body[head_end + 4 : end]
        parts.append((collapse_rfc2231_value(name), filename, value))
        pos = end + len(sep)
    return parts
