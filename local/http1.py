"""Strict HTTP/1.1 request parsing and single-write responses for the local server.

Strict because a lenient parser desynchronises keep-alive connections: a malformed or conflicting
Content-Length, a chunked body it cannot frame, or a folded header line is refused (and the
connection closed) instead of guessed at, so a body is never read as the next request.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from typing import BinaryIO

MAX_LINE = 8 * 1024  # request line and each header line
MAX_HEADERS = 100
MAX_HEADER_BYTES = 64 * 1024
# The methods a Function URL passes to the function; anything else the server answers itself.
FUNCTION_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TARGET = re.compile(rb"/[\x21-\x7e]*")  # origin-form only: no absolute-form, no authority-form
_VERSION = re.compile(rb"HTTP/1\.[01]")
_DIGITS = re.compile(r"[0-9]{1,16}")


class HttpError(Exception):
    """A request the server refuses itself; the connection is closed after the answer."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


class ClientGone(Exception):
    """The client closed the connection in the middle of a request."""


@dataclass
class Request:
    method: str = ""
    target: str = ""
    version: str = "HTTP/1.1"
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_length: int = 0
    body: bytes = b""
    started: float = 0.0  # perf_counter when the request line arrived (not when the connection idled)

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name]
        return ",".join(values) if values else None

    def connection_tokens(self) -> set[str]:
        return {t.strip().lower() for t in (self.header("connection") or "").split(",") if t.strip()}

    @property
    def keep_alive(self) -> bool:
        tokens = self.connection_tokens()
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


def read_head(reader: BinaryIO, request: Request) -> bool:
    """Read the request line and headers into `request`. False on a clean EOF before a request.

    Raises HttpError for anything malformed; fills `request` as far as it got, so the refusal can
    still be logged with the method and path.
    """
    line = reader.readline(MAX_LINE + 1)
    if line in (b"\r\n", b"\n"):  # RFC 9112 2.2: ignore one empty line before a request
        line = reader.readline(MAX_LINE + 1)
    if not line:
        return False
    request.started = time.perf_counter()
    if len(line) > MAX_LINE:
        raise HttpError(414, "Request line too long")
    if not line.endswith(b"\n"):
        raise ClientGone("in the request line")
    parts = line.rstrip(b"\r\n").split(b" ")
    if len(parts) != 3 or not _TOKEN.fullmatch(parts[0]):
        raise HttpError(400, "Malformed request line")
    request.method = parts[0].decode("ascii")
    if not _TARGET.fullmatch(parts[1]):
        raise HttpError(400, "Malformed request target")
    request.target = parts[1].decode("ascii")
    if not _VERSION.fullmatch(parts[2]):
        raise HttpError(400, "Unsupported HTTP version")
    request.version = parts[2].decode("ascii")

    total = 0
    while True:
        line = reader.readline(MAX_LINE + 1)
        if not line:
            raise ClientGone("in the headers")
        total += len(line)
        if len(line) > MAX_LINE or total > MAX_HEADER_BYTES or len(request.headers) >= MAX_HEADERS:
            raise HttpError(431, "Request header fields too large")
        if line in (b"\r\n", b"\n"):
            break
        if line[:1] in (b" ", b"\t"):
            raise HttpError(400, "Obsolete header line folding")
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            raise HttpError(400, "Malformed header line")
        try:
            text = value.strip(b" \t\r\n").decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
            raise HttpError(400, "Malformed header value") from None
        if any(c in text for c in "\r\n\x00"):
            raise HttpError(400, "Malformed header value")
        request.headers.append((name.decode("ascii"), text))

    if request.header("transfer-encoding") is not None:
        # A Function URL needs the whole body up front; a chunked body cannot be framed here.
        raise HttpError(411, "Chunked or transfer-encoded bodies are not supported: send Content-Length")
    request.content_length = parse_content_length(request.header("content-length"))
    return True


def parse_content_length(raw: str | None) -> int:
    """RFC 9110 8.6: digits only; a list of identical values is one value; anything else is 400."""
    if raw is None:
        return 0
    values = {v.strip() for v in raw.split(",")}
    if len(values) != 1 or not _DIGITS.fullmatch(next(iter(values))):
        raise HttpError(400, "Malformed or conflicting Content-Length")
    return int(next(iter(values)))


def serialize_response(
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    keep_alive: bool,
    head: bool = False,
) -> bytes:
    """Status line, headers and body as one buffer: one sendall, so no Nagle / delayed-ACK stall."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}"]
    for name, value in headers:
        if name.lower() in ("content-length", "connection", "transfer-encoding", "keep-alive", "date"):
            continue
        lines.append(f"{name}: {_clean(value)}")
    lines.append(f"Date: {formatdate(usegmt=True)}")
    lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + (b"" if head else body)


def _clean(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")
