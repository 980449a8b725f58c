"""The request body gate: a route that takes a body (catalogue ``takes_body``) gets UTF-8 JSON or a 4xx.

It runs in service/handler.py before the resolver, because Powertools' request validation runs before
any middleware and parses the body by its Content-Type (JSON, form, multipart): a client-chosen parser
whose failures are not all client errors (multipart without a boundary raised a bare ValueError, a 500).
Here the client's media type selects nothing; in order:

1. 413 when the body is over limits.MAX_BODY_BYTES (whatever else is wrong with it);
2. 415 unless Content-Type is ``application/json``, optionally with ``charset=utf-8`` (case-insensitive);
3. 400 unless the body (base64-decoded when the event says so) is UTF-8 text that parses as JSON.

A body that passes reaches the resolver with Content-Type ``application/json`` exactly, so Powertools
parses it as JSON and nothing else; its schema errors are 422s as before. Plain Python: no Powertools.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from service import limits
from service.catalogue import RouteSpec
from service.problems import ProblemError

JSON_MEDIA_TYPE = "application/json"
_CONTENT_TYPE = "content-type"
NOT_JSON_MEDIA_TYPE = "Send the body as application/json (charset utf-8, if any)"


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` with no parameter but ``charset=utf-8``; names and values case-insensitive."""
    media_type, *parameters = (part.strip() for part in content_type.split(";"))
    if media_type.lower() != JSON_MEDIA_TYPE:
        return False
    for parameter in filter(None, parameters):  # a stray ";" is harmless
        name, _, value = parameter.partition("=")
        if name.strip().lower() != "charset" or value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


def check_and_normalize(spec: RouteSpec | None, event: dict[str, Any], *, oversized: bool) -> None:
    """Raise ProblemError (413, 415, 400) unless the request's body is one the resolver may parse.

    On success the event's Content-Type is rewritten to plain ``application/json`` (the media type
    was checked case-insensitively; Powertools compares it case-sensitively)."""
    if spec is None or not spec.takes_body:
        return
    if oversized:
        raise ProblemError(413, limits.TOO_LARGE_DETAIL)
    headers = event.setdefault("headers", {})
    content_type = headers.get(_CONTENT_TYPE)
    if not isinstance(content_type, str) or not is_json_media_type(content_type):
        raise ProblemError(415, NOT_JSON_MEDIA_TYPE)
    try:
        json.loads(_decoded(event))
    except UnicodeError as exc:  # undecodable bytes, or a lone surrogate in text
        raise ProblemError(400, "Request body is not valid UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise ProblemError(400, "Request body is not valid JSON") from exc
    except (RecursionError, ValueError) as exc:
        # json.loads raises these for a body nested too deep or a number too long to convert (both fit in 8 KB).
        raise ProblemError(400, "Request body is not parseable JSON (nested too deeply or a number too long)") from exc
    headers[_CONTENT_TYPE] = JSON_MEDIA_TYPE


def _decoded(event: dict[str, Any]) -> str:
    body = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        # Lambda hands over text it could decode; a lone surrogate (e.g. from a test or a proxy) is still not UTF-8.
        return body.encode("utf-8").decode("utf-8") if isinstance(body, str) else ""
    try:
        raw = base64.b64decode(body, validate=True)
    except ValueError as exc:  # binascii.Error, or text that is not even ASCII
        raise ProblemError(400, "Request body is not valid base64") from exc
    return raw.decode("utf-8")
