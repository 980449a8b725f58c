"""The current request's deadline, from the Lambda context: how long the service may still wait.

The handler starts it per invocation; the data-access layer reads it before every DynamoDB call.
A ContextVar rather than a module global: a server that runs requests on threads keeps them apart.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_context: ContextVar[Any] = ContextVar("lambda_context", default=None)


def start(context: Any) -> None:
    """Take the deadline from this invocation's context (anything with get_remaining_time_in_millis)."""
    _context.set(context if callable(getattr(context, "get_remaining_time_in_millis", None)) else None)


def remaining_ms() -> float | None:
    """Milliseconds until Lambda ends the invocation; None outside a request (no deadline known)."""
    context = _context.get()
    return None if context is None else float(context.get_remaining_time_in_millis())
