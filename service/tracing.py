"""Tracing, behind one module: a later move from the X-Ray SDK (in maintenance mode) to
OpenTelemetry changes this file only.

In Lambda this is Powertools' Tracer, patching botocore alone (the only library the service calls
out through). Where Powertools' own rule disables tracing (outside Lambda: local runs, tests,
benchmarks), its Tracer would still import the X-Ray SDK, which builds a botocore client for
sampling at import time (~180 ms); the stand-in below has the same surface and does nothing,
which is exactly what a disabled Powertools Tracer does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from aws_lambda_powertools.tracing.tracer import Tracer


class TracerLike(Protocol):
    def capture_lambda_handler(
        self, lambda_handler: Any = None, capture_response: bool | None = None, capture_error: bool | None = None
    ) -> Any: ...

    def capture_method(
        self, method: Any = None, capture_response: bool | None = None, capture_error: bool | None = None
    ) -> Any: ...

    def put_annotation(self, key: str, value: str | float | bool) -> None: ...


class DisabledTracer:
    """Same calls as Powertools' Tracer, no X-Ray import: used only where Powertools disables tracing."""

    def capture_lambda_handler(
        self, lambda_handler: Any = None, capture_response: bool | None = None, capture_error: bool | None = None
    ) -> Any:
        return lambda_handler if lambda_handler is not None else _identity

    def capture_method(
        self, method: Any = None, capture_response: bool | None = None, capture_error: bool | None = None
    ) -> Any:
        return method if method is not None else _identity

    def put_annotation(self, key: str, value: str | float | bool) -> None:
        return None


def _identity(func: Callable[..., Any]) -> Callable[..., Any]:
    return func


def tracing_disabled() -> bool:
    """Powertools' own rule (env POWERTOOLS_TRACE_DISABLED, outside Lambda, SAM local, Chalice)."""
    return bool(Tracer._is_tracer_disabled())


def make_tracer(service: str) -> TracerLike:
    if tracing_disabled():
        return DisabledTracer()
    return Tracer(service=service, patch_modules=("botocore",))
