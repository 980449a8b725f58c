"""Alarm definitions as plain data: the one source for the CDK alarms, RUNBOOK.md and the cost table.

Nothing here imports CDK, so the runbook and cost scripts run in milliseconds. Dimension values
that only exist at deploy time (function name, table name, distribution id) are symbolic
:class:`Ref` values that the CDK layer resolves (see ``render.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

# Where an alarm lives. An alarm can only watch a metric of its own region: CloudFront and
# WAF (CLOUDFRONT scope) metrics exist only in us-east-1, so their alarms live in the edge stack.
Region = Literal["home", "edge"]

# CloudWatch's TreatMissingData values, spelled as CloudFormation wants them.
MissingData = Literal["breaching", "notBreaching", "ignore", "missing"]

Comparison = Literal[">", ">=", "<", "<="]


@dataclass(frozen=True)
class Ref:
    """A deploy-time value (e.g. the function name) that the CDK layer fills in."""

    name: str


@dataclass(frozen=True)
class MetricSpec:
    namespace: str
    name: str
    statistic: str  # "Sum", "Average", "Maximum", "p99", ...
    period_s: int
    dimensions: tuple[tuple[str, str | Ref], ...] = ()

    @property
    def dimension_names(self) -> frozenset[str]:
        return frozenset(k for k, _ in self.dimensions)

    def describe(self) -> str:
        dims = ", ".join(f"{k}={v.name if isinstance(v, Ref) else v}" for k, v in self.dimensions)
        return f"{self.statistic}({self.namespace}/{self.name} {{{dims}}}) per {_duration(self.period_s)}"


@dataclass(frozen=True)
class Playbook:
    """The on-call text of one alarm kind. ``{route}`` etc. are filled from the alarm's context."""

    kind: str  # stable id, also the RUNBOOK.md anchor
    title: str
    meaning: str
    first_checks: tuple[str, ...]
    dashboard_section: str
    saved_queries: tuple[str, ...]  # query keys (without folder), may contain {route_name}

    def render(self, context: Mapping[str, str]) -> Playbook:
        def fmt(s: str) -> str:
            return s.format_map(_Default(context))

        return Playbook(
            kind=self.kind,
            title=fmt(self.title),
            meaning=fmt(self.meaning),
            first_checks=tuple(fmt(c) for c in self.first_checks),
            dashboard_section=fmt(self.dashboard_section),
            saved_queries=tuple(fmt(q) for q in self.saved_queries),
        )


class _Default(dict[str, str]):
    """format_map helper: unknown placeholders stay visible as <name> (used by RUNBOOK.md)."""

    def __missing__(self, key: str) -> str:
        return f"<{key}>"


@dataclass(frozen=True)
class AlarmSpec:
    """A metric alarm: one metric, or a math expression over ``metrics`` (ids -> metric)."""

    key: str  # unique per stack; the alarm name is "<prefix>-<key>"
    playbook: Playbook
    region: Region
    metrics: Mapping[str, MetricSpec]
    threshold: float
    comparison: Comparison
    evaluation_periods: int
    datapoints_to_alarm: int
    missing_data: MissingData
    missing_data_why: str  # why this treatment: documented in RUNBOOK.md
    condition: str  # human-readable condition, e.g. "fault burn rate over 1 h >= 14.4"
    expression: str | None = None  # metric math over the ids in ``metrics``
    expression_label: str | None = None
    notify: bool = True  # False for building blocks of a composite (the composite notifies)
    context: Mapping[str, str] = field(default_factory=dict)  # playbook placeholders
    route: str | None = None  # route name, for per-route alarms

    def __post_init__(self) -> None:
        if self.expression is None and len(self.metrics) != 1:
            raise ValueError(f"{self.key}: a plain alarm watches exactly one metric")
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise ValueError(f"{self.key}: datapoints_to_alarm must be in [1, evaluation_periods]")

    @property
    def runbook(self) -> Playbook:
        return self.playbook.render(self.context)

    @property
    def billed_metrics(self) -> int:
        """CloudWatch bills a standard alarm per metric it reads (math expressions included)."""
        return len(self.metrics)


@dataclass(frozen=True)
class CompositeSpec:
    """A composite alarm: ALARM when ALL of ``children`` (alarm keys) are in ALARM."""

    key: str
    playbook: Playbook
    region: Region
    children: tuple[str, ...]
    condition: str
    context: Mapping[str, str] = field(default_factory=dict)
    route: str | None = None
    notify: bool = True

    @property
    def runbook(self) -> Playbook:
        return self.playbook.render(self.context)


AnyAlarm = AlarmSpec | CompositeSpec


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def duration(seconds: int) -> str:
    """1 h, 5 min, 30 s: how alarm windows are spelled in descriptions."""
    return _duration(seconds)
