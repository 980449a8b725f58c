"""The state of one request: created by the handler per invocation, carried in the resolver's context.

The handler puts it in with `app.append_context` before resolving; middleware and exception handlers
read it with `current(app)`; the handler keeps its own reference to write the access line after
`resolve`, which clears the context. Nothing about a request outlives its invocation.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from service import environment, header_names, limits
from service.catalogue import NOT_FOUND, label_for

CONTEXT_KEY = "request_state"

# A correlation id from a client is trusted only when it is short and plain; anything else
# (too long, odd characters, log-injection attempts) is replaced by the request id.
_CORRELATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
# The key id cloudfront_functions/api_key.js puts in x-client-id. Trusted only when the CDK app says the edge checks
# keys (and so always overwrites the header); otherwise any viewer could have sent it.
_CLIENT_ID = re.compile(r"[0-9a-f]{12}")
TRUST_CLIENT_ID = os.environ.get(environment.ENV_API_KEYS, "").lower() == "true"
# CloudFront request ids are URL-safe base64 (about 56 characters, '=' padded); anything else is not
# CloudFront's and is not logged.
_EDGE_REQUEST_ID = re.compile(r"[A-Za-z0-9_=-]{1,128}")


@dataclass
class RequestState:
    """What the service knows and learns about the current request."""

    correlation_id: str
    oversized: bool  # body over limits.MAX_BODY_BYTES: every route answers 413
    edge_request_id: str | None = None  # CloudFront's request id (x-amz-cf-id), when it came through it
    route: str | None = None  # the bounded route label, once the resolver has matched (or not)
    client_id: str | None = None  # the API key id set by the edge, when keys are on
    error_kind: str | None = None  # on a 5xx: one of contract.ERROR_KINDS (service/problem_mapping.py sets it)

    @classmethod
    def for_event(cls, event: dict[str, Any], request_id: str) -> RequestState:
        headers = event.get("headers") or {}
        return cls(
            correlation_id=correlation_id_for(headers, request_id),
            oversized=body_size(event) > limits.MAX_BODY_BYTES,
            client_id=client_id_for(headers) if TRUST_CLIENT_ID else None,
            edge_request_id=edge_request_id_for(headers),
        )

    def label(self, method: str, path_template: str) -> None:
        """Record the route the resolver matched, as its bounded label."""
        self.route = label_for(method, path_template)

    def label_not_found(self) -> None:
        self.route = NOT_FOUND


def current(router: BaseRouter) -> RequestState:
    """The state of the request the resolver (or one of its routers) is handling now."""
    state: RequestState = router.context[CONTEXT_KEY]
    return state


# The helpers below take the request's headers, lower-case names as in a Function URL event.


def correlation_id_for(headers: Mapping[str, Any], request_id: str) -> str:
    candidate = headers.get(header_names.CORRELATION_HEADER, "")
    if isinstance(candidate, str) and _CORRELATION_ID.fullmatch(candidate):
        return candidate
    return request_id


def client_id_for(headers: Mapping[str, Any]) -> str | None:
    candidate = headers.get(header_names.CLIENT_ID_HEADER, "")
    return candidate if isinstance(candidate, str) and _CLIENT_ID.fullmatch(candidate) else None


def edge_request_id_for(headers: Mapping[str, Any]) -> str | None:
    candidate = headers.get(header_names.EDGE_REQUEST_ID_HEADER)
    if isinstance(candidate, str) and _EDGE_REQUEST_ID.fullmatch(candidate):
        return candidate
    return None


def body_size(event: dict[str, Any]) -> int:
    body = event.get("body") or ""
    if not event.get("isBase64Encoded"):
        return len(body.encode("utf-8", errors="surrogatepass"))
    # Decoded size from the encoded length: no need to decode a body only to measure it.
    return len(body.rstrip("=")) * 3 // 4
