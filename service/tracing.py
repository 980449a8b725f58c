"""Tracing, behind one module: the deploy option ``tracing`` (cdk.json) picks the backend, and the rest
of the service sees the same few calls whichever it is.

- ``xray`` (default): Powertools' Tracer on the X-Ray SDK, patching botocore alone (the only library the
  service calls out through). The X-Ray SDKs are in maintenance mode (end of support 2027-02-25).
- ``otel``: AWS's OpenTelemetry distro layer. Its wrapper (AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument)
  sets up the SDK, instruments botocore and opens one SERVER span around ``handler``; this module only
  uses the OpenTelemetry *API* on that span: it renames it to the route template and sets route,
  method and status as attributes listed in ``aws.xray.annotations``, which X-Ray indexes as
  annotations (the same names as in ``xray`` mode, so trace filters do not change).
- ``off``: nothing is traced; the function runs with PassThrough tracing.

The mode arrives in TRACING_MODE (set by the stack). Where Powertools' own rule disables tracing
(outside Lambda: local runs, tests, benchmarks), ``xray`` gets the stand-in below: Powertools' Tracer
would still import the X-Ray SDK, which builds a botocore client for sampling at import time
(~180 ms), and a disabled Tracer does nothing anyway. ``otel`` costs nothing where no SDK is set up:
the OpenTelemetry API then hands out non-recording spans.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, Protocol

ENV_TRACING_MODE = "TRACING_MODE"
XRAY, OTEL, OFF = "xray", "otel", "off"
MODES: tuple[str, ...] = (XRAY, OTEL, OFF)
# What X-Ray indexes (annotations) in every mode: filter traces with annotation.route = "GET /orders".
ANNOTATIONS: tuple[str, ...] = ("route", "method", "status")
# OpenTelemetry span attribute whose value lists the attributes X-Ray turns into annotations.
XRAY_ANNOTATIONS_ATTRIBUTE = "aws.xray.annotations"


class TracerLike(Protocol):
    def capture_lambda_handler(
        self, lambda_handler: Any = None, capture_response: bool | None = None, capture_error: bool | None = None
    ) -> Any: ...

    def capture_method(
        self, method: Any = None, capture_response: bool | None = None, capture_error: bool | None = None
    ) -> Any: ...

    def put_annotation(self, key: str, value: str | float | bool) -> None: ...

    def record_request(self, *, route: str, method: str, status: int, error_kind: str | None) -> None:
        """Label the request's trace: route, method and status as annotations; a 5xx marks it as a fault."""

    def trace_id(self) -> str | None:
        """The request's trace id in X-Ray form (1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx), or None."""


def lambda_trace_id() -> str | None:
    """The Root of the trace header Lambda sets for each invocation (_X_AMZN_TRACE_ID)."""
    header = os.environ.get("_X_AMZN_TRACE_ID")
    if not header:
        return None
    return header.split(";", 1)[0].removeprefix("Root=")


def xray_form(trace_id: int) -> str:
    """A 128-bit OpenTelemetry trace id as X-Ray writes it: version, 8 hex digits (epoch), 24 hex digits."""
    digits = f"{trace_id:032x}"
    return f"1-{digits[:8]}-{digits[8:]}"


def _identity(func: Callable[..., Any]) -> Callable[..., Any]:
    return func


class DisabledTracer:
    """Same calls as Powertools' Tracer, no X-Ray import: ``off``, and ``xray`` where Powertools disables it."""

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

    def record_request(self, *, route: str, method: str, status: int, error_kind: str | None) -> None:
        return None

    def trace_id(self) -> str | None:
        # Lambda sets the header even when this function does not trace (PassThrough): the access line
        # still joins whatever trace the caller started.
        return lambda_trace_id()


class XRayTracer(DisabledTracer):
    """Powertools' Tracer (X-Ray SDK): the handler segment ``## handler`` carries the annotations."""

    def __init__(self, service: str) -> None:
        from aws_lambda_powertools.tracing.tracer import Tracer

        self.tracer = Tracer(service=service, patch_modules=("botocore",))
        self.capture_lambda_handler = self.tracer.capture_lambda_handler  # type: ignore[method-assign]  # the tracer's decorators replace this stub's at runtime
        self.capture_method = self.tracer.capture_method  # type: ignore[method-assign]  # the tracer's decorators replace this stub's at runtime
        self.put_annotation = self.tracer.put_annotation  # type: ignore[method-assign,assignment]  # Powertools types the value as numbers.Number, which mypy cannot match

    def record_request(self, *, route: str, method: str, status: int, error_kind: str | None) -> None:
        self.tracer.put_annotation(key="route", value=route)
        self.tracer.put_annotation(key="method", value=method)
        self.tracer.put_annotation(key="status", value=status)  # type: ignore[arg-type]  # an int is a Number


class OtelTracer(DisabledTracer):
    """The OpenTelemetry API over the SDK the distro layer set up (or a no-op one where none is)."""

    def __init__(self, service: str) -> None:
        from opentelemetry import trace
        from opentelemetry.trace import Status, StatusCode

        self._trace = trace
        self._error = functools.partial(Status, StatusCode.ERROR)
        self.tracer = trace.get_tracer(service)

    # capture_lambda_handler stays the identity: the layer's aws-lambda instrumentation already wraps the
    # handler in the request's SERVER span.

    def capture_method(
        self, method: Any = None, capture_response: bool | None = None, capture_error: bool | None = None
    ) -> Any:
        """A child span per call, named as Powertools names its subsegments (``## name``)."""

        def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
            name = f"## {func.__name__}"

            @functools.wraps(func)  # keeps the signature the resolver reads for validation
            def traced(*args: Any, **kwargs: Any) -> Any:
                with self.tracer.start_as_current_span(name):
                    return func(*args, **kwargs)

            return traced

        return decorate(method) if method is not None else decorate

    def put_annotation(self, key: str, value: str | float | bool) -> None:
        span = self._trace.get_current_span()
        span.set_attribute(key, value)
        listed = getattr(span, "attributes", None) or {}
        keys = tuple(listed.get(XRAY_ANNOTATIONS_ATTRIBUTE, ()))
        if key not in keys:
            span.set_attribute(XRAY_ANNOTATIONS_ATTRIBUTE, (*keys, key))

    def record_request(self, *, route: str, method: str, status: int, error_kind: str | None) -> None:
        span = self._trace.get_current_span()
        span.update_name(route)  # the template, never the raw path: one span name per catalogue route
        span.set_attributes(
            {"route": route, "method": method, "status": status, XRAY_ANNOTATIONS_ATTRIBUTE: ANNOTATIONS}
        )
        if status >= 500:
            # The resolver answered the fault (no exception reached the instrumentation): say so.
            span.set_status(self._error(error_kind))
            if error_kind:
                span.set_attribute("error_kind", error_kind)

    def trace_id(self) -> str | None:
        context = self._trace.get_current_span().get_span_context()
        return xray_form(context.trace_id) if context.is_valid else lambda_trace_id()


def tracing_mode() -> str:
    mode = os.environ.get(ENV_TRACING_MODE, XRAY).strip().lower() or XRAY
    if mode not in MODES:
        raise ValueError(f"{ENV_TRACING_MODE} must be one of {MODES}, got {mode!r}")
    return mode


def tracing_disabled() -> bool:
    """Powertools' own rule (env POWERTOOLS_TRACE_DISABLED, outside Lambda, SAM local, Chalice)."""
    from aws_lambda_powertools.tracing.tracer import Tracer

    return bool(Tracer._is_tracer_disabled())


def make_tracer(service: str) -> TracerLike:
    mode = tracing_mode()
    if mode == OTEL:
        return OtelTracer(service)
    if mode == OFF or tracing_disabled():
        return DisabledTracer()
    return XRayTracer(service)
