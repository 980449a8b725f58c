"""Test helpers: call the real handler with real Function URL events and read what it printed."""

from __future__ import annotations

import contextlib
import io
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from local.events import LocalLambdaContext, function_url_event
from service.telemetry import SERVICE


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every non-blank line of captured stdout, each of which must be one JSON object."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@dataclass
class Call:
    event: dict[str, Any]
    response: dict[str, Any]
    output: str
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> int:
        return int(self.response["statusCode"])

    @property
    def headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in (self.response.get("headers") or {}).items()}

    @property
    def json(self) -> Any:
        return json.loads(self.response["body"])

    @property
    def access_lines(self) -> list[dict[str, Any]]:
        return [line for line in self.lines if line.get("message") == "access"]

    @property
    def access(self) -> dict[str, Any]:
        (line,) = self.access_lines
        return line


def invoke(
    method: str,
    target: str,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    raw_event: dict[str, Any] | None = None,
    context: LocalLambdaContext | None = None,
) -> Call:
    """Invoke service.handler.handler once; capture the JSON lines it writes to stdout."""
    from service.handler import handler

    hdrs = {"content-type": "application/json", "user-agent": "pytest"} | (headers or {})
    if isinstance(body, (dict, list)):
        payload: bytes | None = json.dumps(body).encode()
    elif isinstance(body, str):
        payload = body.encode("utf-8", errors="surrogatepass")
    else:
        payload = body
    event = raw_event if raw_event is not None else function_url_event(method, target, hdrs, payload)
    buffer = io.StringIO()
    # Powertools' handler holds the stdout stream it was created with; point it at a buffer
    # for this call so the exact bytes Lambda would ship to CloudWatch can be inspected.
    handlers = logging.getLogger(SERVICE).handlers
    previous = [h.setStream(buffer) for h in handlers if isinstance(h, logging.StreamHandler)]
    try:
        with contextlib.redirect_stdout(buffer):  # the access line is written to stdout directly
            response = handler(event, context or LocalLambdaContext())
    finally:
        for h, stream in zip((h for h in handlers if isinstance(h, logging.StreamHandler)), previous, strict=True):
            h.setStream(stream)
    output = buffer.getvalue()
    return Call(event=event, response=response, output=output, lines=json_lines(output))


def new_order(customer_id: str = "cust-1", currency: str = "EUR", quantity: int = 2) -> dict[str, Any]:
    return {
        "customer_id": customer_id,
        "currency": currency,
        "items": [{"sku": "SKU-1", "quantity": quantity, "unit_price_cents": 250}],
    }
