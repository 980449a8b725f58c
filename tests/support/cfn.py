"""Reading synthesized templates: dashboards (bodies are Fn::Join strings), alarms, saved queries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

UNRESOLVED = "<token>"


@dataclass
class StackTemplate:
    name: str
    region: str
    template: dict[str, Any]
    path: Path
    nested: list[StackTemplate] = field(default_factory=list)

    def all_templates(self) -> list[StackTemplate]:
        return [self, *(t for n in self.nested for t in n.all_templates())]

    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template.get("Resources", {}).items() if v["Type"] == type_}


def render(value: Any, region: str) -> str:
    """A CloudFormation string value as text; pseudo parameters filled, other tokens as <token>."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "Fn::Join" in value:
            sep, parts = value["Fn::Join"]
            return sep.join(render(p, region) for p in parts)
        if value.get("Ref") == "AWS::Region":
            return region
        if value.get("Ref") == "AWS::Partition":
            return "aws"
        return UNRESOLVED
    return str(value)


class _Dimensioned:
    """A metric's dimensions, as names and as a mapping (dashboard and alarm metrics alike)."""

    dims: tuple[tuple[str, str], ...]

    @property
    def dim_names(self) -> frozenset[str]:
        return frozenset(k for k, _ in self.dims)

    @property
    def dim_map(self) -> dict[str, str]:
        return dict(self.dims)


@dataclass(frozen=True)
class DashMetric(_Dimensioned):
    widget: str  # widget title
    namespace: str
    name: str
    dims: tuple[tuple[str, str], ...]
    region: str  # the metric's own region, else the widget's


def dashboard_bodies(stack: StackTemplate) -> list[dict[str, Any]]:
    return [
        json.loads(render(r["Properties"]["DashboardBody"], stack.region))
        for r in stack.resources("AWS::CloudWatch::Dashboard").values()
    ]


def dashboard_metrics(body: dict[str, Any]) -> list[DashMetric]:
    out: list[DashMetric] = []
    for widget in body["widgets"]:
        props = widget.get("properties", {})
        if widget["type"] != "metric":
            continue
        previous: list[Any] = []
        for row in props.get("metrics", []):
            if isinstance(row[0], dict):  # math/search expression: checked separately
                continue
            opts = row[-1] if isinstance(row[-1], dict) else {}
            plain = [p for p in row if not isinstance(p, dict)]
            # "." repeats the value at the same position of the previous row (dashboard JSON shorthand).
            plain = [previous[i] if p == "." and i < len(previous) else p for i, p in enumerate(plain)]
            previous = plain
            ns, name, *rest = plain
            dims = tuple(zip(rest[0::2], rest[1::2], strict=True))
            out.append(
                DashMetric(
                    widget=props.get("title", ""),
                    namespace=ns,
                    name=name,
                    dims=dims,
                    region=opts.get("region", props.get("region", "")),
                )
            )
    return out


def dashboard_expressions(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(widget title, expression) of every math/search expression on the dashboard."""
    out = []
    for widget in body["widgets"]:
        props = widget.get("properties", {})
        for row in props.get("metrics", []) if widget["type"] == "metric" else []:
            if isinstance(row[0], dict) and "expression" in row[0]:
                out.append((props.get("title", ""), row[0]["expression"]))
    return out


@dataclass(frozen=True)
class LogWidget:
    title: str
    region: str
    source: str  # the log group of its SOURCE clause ("<token>" for a deploy-time name)
    query: str  # without the SOURCE clause


def log_widgets(body: dict[str, Any]) -> list[LogWidget]:
    out = []
    for widget in body["widgets"]:
        if widget["type"] == "log":
            props = widget["properties"]
            source, query = "", props["query"]
            if query.lstrip().startswith("SOURCE"):
                clause, query = query.split("|", 1)
                source = clause.strip().removeprefix("SOURCE").strip().strip("'")
            out.append(LogWidget(props.get("title", ""), props.get("region", ""), source, query))
    return out


def log_widget_queries(body: dict[str, Any], *, exclude_source: str | None = None) -> list[str]:
    """Log widget queries without their ``SOURCE '...' |`` prefix (but those over ``exclude_source``)."""
    return [w.query for w in log_widgets(body) if exclude_source is None or w.source != exclude_source]


@dataclass(frozen=True)
class AlarmMetric(_Dimensioned):
    alarm: str  # logical id
    namespace: str
    name: str
    dims: tuple[tuple[str, str], ...]
    stat: str
    period: int


def alarm_metrics(stack: StackTemplate) -> list[AlarmMetric]:
    """Every metric an AWS::CloudWatch::Alarm reads (plain alarms and metric-math alarms)."""
    out = []
    for lid, res in stack.resources("AWS::CloudWatch::Alarm").items():
        p = res["Properties"]

        def dims(raw: list[dict[str, Any]] | None) -> tuple[tuple[str, str], ...]:
            return tuple((d["Name"], render(d["Value"], stack.region)) for d in raw or ())

        if "MetricName" in p:
            stat = p.get("ExtendedStatistic") or p.get("Statistic")
            out.append(AlarmMetric(lid, p["Namespace"], p["MetricName"], dims(p.get("Dimensions")), stat, p["Period"]))
        for q in p.get("Metrics", []):
            if "MetricStat" in q:
                ms = q["MetricStat"]
                m = ms["Metric"]
                out.append(
                    AlarmMetric(
                        lid, m["Namespace"], m["MetricName"], dims(m.get("Dimensions")), ms["Stat"], ms["Period"]
                    )
                )
    return out
