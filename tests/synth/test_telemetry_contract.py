"""Telemetry contract: what the dashboards, alarms and saved queries read is what the real handler
emits. The handler serves every catalogue route in a fresh process (conftest ``telemetry``); the
synthesized templates say what is read. Renaming an emitted field or metric breaks these tests
(the mutation tests at the bottom prove the checks can fail)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from service.catalogue import NOT_FOUND, ROUTES
from service.contract import ACCESS_FIELDS, ACCESS_FIELDS_WHEN_PRESENT, DIM_ROUTE, METRICS_NAMESPACE
from tests.support import logsql
from tests.support.cfn import alarm_metrics, dashboard_bodies, dashboard_metrics
from tests.support.deployed import queries_read
from tests.support.synth import Synth
from tests.support.telemetry import Telemetry, collect

# Fields whose values are fixed vocabulary, so a query's `field = "literal"` must match an emitted value.
VOCABULARY_FIELDS = frozenset({"message", "level", "route", "method", "service"})


@dataclass(frozen=True)
class Read:
    where: str  # which dashboard widget / alarm reads it
    name: str
    dims: tuple[tuple[str, str], ...]


def metrics_read(s: Synth) -> list[Read]:
    """Every metric of the service namespace on the dashboard or in an alarm (nested stacks too)."""
    out = []
    for body in dashboard_bodies(s.templates["home"]):
        out += [
            Read(f"widget {m.widget!r}", m.name, m.dims)
            for m in dashboard_metrics(body)
            if m.namespace == METRICS_NAMESPACE
        ]
    for t in s.templates["home"].all_templates():
        out += [Read(f"alarm {a.alarm}", a.name, a.dims) for a in alarm_metrics(t) if a.namespace == METRICS_NAMESPACE]
    return out


def missing_metrics(reads: Iterable[Read], t: Telemetry) -> list[str]:
    problems = []
    for r in reads:
        dims = frozenset(k for k, _ in r.dims)
        if (METRICS_NAMESPACE, r.name, dims) not in t.metrics:
            problems.append(f"{r.where}: {r.name} {sorted(dims)} is never emitted with that dimension set")
        for k, v in r.dims:
            if v not in t.dim_values.get(k, set()):
                problems.append(f"{r.where}: {r.name} reads {k}={v!r}, never emitted")
    return problems


def missing_fields(texts: dict[str, str], t: Telemetry) -> list[str]:
    problems = []
    for key, text in texts.items():
        for name in sorted(logsql.read_fields(text) - t.fields):
            problems.append(f"query {key}: reads field {name!r}, which no emitted line has")
        for cmp in logsql.equality_literals(text):
            if cmp.field in VOCABULARY_FIELDS and cmp.value not in t.values.get(cmp.field, set()):
                problems.append(f"query {key}: filters {cmp.field} = {cmp.value!r}, never emitted")
    return problems


def test_every_catalogue_route_and_the_unmatched_label_were_served(telemetry: Telemetry) -> None:
    access = [line for line in telemetry.lines if line.get("message") == "access"]
    assert {line["route"] for line in access} == {r.label for r in ROUTES} | {NOT_FOUND}
    assert any(line["status"] >= 500 for line in access), "the contract run must include a real fault"
    assert any("exception" in line and line.get("level") == "ERROR" for line in telemetry.lines)
    assert any(line.get("ColdStart") == 1 for line in access), "a fresh process starts cold"
    for line in access:
        assert set(ACCESS_FIELDS) <= set(line), sorted(set(ACCESS_FIELDS) - set(line))
        # every contract request carries x-amz-cf-id, as CloudFront sends it
        assert set(ACCESS_FIELDS_WHEN_PRESENT) <= set(line), sorted(set(ACCESS_FIELDS_WHEN_PRESENT) - set(line))


def test_dashboard_and_alarm_metrics_are_emitted_with_their_exact_dimensions(
    default_synth: Synth, telemetry: Telemetry
) -> None:
    reads = metrics_read(default_synth)
    # Sanity: the walk found both per-route and service-level metrics, on widgets and in alarms.
    assert any(r.where.startswith("alarm") for r in reads)
    assert any(r.where.startswith("widget") for r in reads)
    assert {len(r.dims) for r in reads} == {1, 2}
    assert not missing_metrics(reads, telemetry), "\n".join(missing_metrics(reads, telemetry))


def test_every_field_a_query_or_log_widget_reads_is_emitted(default_synth: Synth, telemetry: Telemetry) -> None:
    texts = queries_read(default_synth)
    assert any(k.startswith("log widget") for k in texts)
    problems = missing_fields(texts, telemetry)
    assert not problems, "\n".join(problems)


# --- the checks can fail ---------------------------------------------------------------------


def _rename_field(lines: list[dict[str, Any]], old: str, new: str) -> list[dict[str, Any]]:
    out = copy.deepcopy(lines)
    for line in out:
        if old in line:
            line[new] = line.pop(old)
    return out


def _rename_metric(lines: list[dict[str, Any]], old: str, new: str) -> list[dict[str, Any]]:
    return [json.loads(json.dumps(line).replace(f'"{old}"', f'"{new}"')) for line in lines]


@pytest.mark.parametrize(
    "field", ["latency_ms", "correlation_id", "status", "route", "exception_name", "edge_request_id"]
)
def test_renaming_an_emitted_field_breaks_the_query_contract(
    default_synth: Synth, telemetry: Telemetry, field: str
) -> None:
    mutated = collect(_rename_field(telemetry.lines, field, field + "_renamed"))
    problems = missing_fields(queries_read(default_synth), mutated)
    assert any(repr(field) in p for p in problems), problems


@pytest.mark.parametrize("metric", ["Requests", "Latency", "Fault", "ClientError", "ColdStart"])
def test_renaming_an_emitted_metric_breaks_the_metric_contract(
    default_synth: Synth, telemetry: Telemetry, metric: str
) -> None:
    mutated = collect(_rename_metric(telemetry.lines, metric, metric + "Renamed"))
    assert any(f": {metric} " in p for p in missing_metrics(metrics_read(default_synth), mutated))


def test_dropping_the_route_dimension_set_breaks_the_metric_contract(
    default_synth: Synth, telemetry: Telemetry
) -> None:
    lines = copy.deepcopy(telemetry.lines)
    for line in lines:
        for directive in line.get("_aws", {}).get("CloudWatchMetrics", []):
            directive["Dimensions"] = [d for d in directive["Dimensions"] if DIM_ROUTE not in d]
    problems = missing_metrics(metrics_read(default_synth), collect(lines))
    assert any("['route', 'service']" in p for p in problems)


def test_changing_the_route_label_format_breaks_both_contracts(default_synth: Synth, telemetry: Telemetry) -> None:
    lines = copy.deepcopy(telemetry.lines)
    for line in lines:
        if isinstance(line.get("route"), str):
            line["route"] = line["route"].replace("{", "<").replace("}", ">")
    mutated = collect(lines)
    assert any("route='GET /orders/{order_id}'" in p for p in missing_metrics(metrics_read(default_synth), mutated))
    assert any("'GET /orders/{order_id}'" in p for p in missing_fields(queries_read(default_synth), mutated))
