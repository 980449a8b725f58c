"""The declarative model: metrics, alarms, playbooks and dashboard widgets as plain data.

Every monitored unit (``observability/units/``) declares its metrics, alarms (with their runbook
text) and dashboard widgets with these types; ``dashboards/`` lays the widgets out, the CDK layer
(``stacks/monitoring/``) only renders them, and RUNBOOK.md and the cost table read them without CDK.
Values that exist only at deploy time (function name, table name, distribution id) are symbolic
:class:`Ref` values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from service.catalogue import Slo

# CloudFront, CLOUDFRONT-scope WAF web ACLs, their metrics and logs exist only in this region.
EDGE_REGION = "us-east-1"

# Where an alarm lives: an alarm can only watch a metric of its own region, so CloudFront and WAF
# alarms live in the us-east-1 ("edge") stack; everything else in the home region.
Region = Literal["home", "edge"]
# CloudWatch's TreatMissingData values, spelled as CloudFormation wants them.
MissingData = Literal["breaching", "notBreaching", "ignore", "missing"]
Comparison = Literal[">", ">=", "<", "<="]
# Who a notifying alarm reaches: "page" (users are failing now; someone acts at any hour) or "ticket"
# (act in working hours). Building blocks of a composite (notify=False) reach nobody; theirs is unused.
Severity = Literal["page", "ticket"]
# CloudWatch console palette (the hex values of CDK's cw.Color.RED / ORANGE).
RED = "#d62728"
ORANGE = "#ff7f0e"


@dataclass(frozen=True)
class Ref:
    """A deploy-time value (e.g. the function name) that the CDK layer fills in."""

    name: str


Dimensions = tuple[tuple[str, str | Ref], ...]


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric as read by an alarm or drawn on a graph."""

    namespace: str
    name: str
    statistic: str  # "Sum", "Average", "Maximum", "p99", ...
    period_s: int
    dimensions: Dimensions = ()
    label: str | None = None
    color: str | None = None

    @property
    def billed_metrics(self) -> int:
        return 1


@dataclass(frozen=True)
class Expression:
    """Metric math over ``using`` (id -> metric), or a SEARCH (``using`` empty, dashboards only).
    ``$name`` in the text is a deploy-time value, filled in like a :class:`Ref` of that name."""

    expression: str
    using: Mapping[str, Metric]
    period_s: int
    label: str | None = None
    color: str | None = None

    @property
    def billed_metrics(self) -> int:
        """CloudWatch bills a standard alarm per metric it reads (math expressions included)."""
        return len(self.using)


AnyMetric = Metric | Expression


@dataclass(frozen=True)
class Playbook:
    """The on-call text of one alarm kind. ``{route}`` etc. are filled from the alarm's context."""

    kind: str  # stable id, also the RUNBOOK.md anchor
    title: str
    meaning: str
    first_checks: tuple[str, ...]
    dashboard_section: str
    saved_queries: tuple[str, ...]  # saved-query keys (observability.queries), may contain {route_name}

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
class Alarm:
    """A metric alarm on one metric or one math expression."""

    key: str  # unique per stack; the alarm name is "<service_name>-<key>"
    playbook: Playbook
    region: Region
    metric: AnyMetric
    threshold: float
    comparison: Comparison
    evaluation_periods: int
    datapoints_to_alarm: int
    missing_data: MissingData
    missing_data_why: str  # why this treatment: documented in RUNBOOK.md
    # What is compared, in words, when the metric cannot say it (an expression), e.g. "burn rate (Average(Fault) /
    # 0.001)"; "" for a plain metric. The rest (threshold, period, M of N, floors) is generated from the fields
    # (observability/conditions.py): never restate it here.
    condition: str
    notify: bool = True  # False for building blocks of a composite (the composite notifies)
    context: Mapping[str, str] = field(default_factory=dict)  # playbook placeholders
    severity: Severity = "page"
    severity_why: str = ""  # why this severity (RUNBOOK.md): every ticket says why it is no page
    # Who hears when the alarm has no data at all (INSUFFICIENT_DATA, `missing` treatment): None, nobody.
    silence: Severity | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise ValueError(f"{self.key}: datapoints_to_alarm must be in [1, evaluation_periods]")

    @property
    def runbook(self) -> Playbook:
        return self.playbook.render(self.context)

    @property
    def billed_metrics(self) -> int:
        return self.metric.billed_metrics


@dataclass(frozen=True)
class Composite:
    """A composite alarm: ALARM when ALL of ``children`` are in ALARM."""

    key: str
    playbook: Playbook
    region: Region
    children: tuple[Alarm, ...]
    condition: str  # what the pair means, in words; the rule is generated from the children
    context: Mapping[str, str] = field(default_factory=dict)
    notify: bool = True
    severity: Severity = "page"
    severity_why: str = ""

    @property
    def runbook(self) -> Playbook:
        return self.playbook.render(self.context)


AnyAlarm = Alarm | Composite


# --- dashboard declarations ---------------------------------------------------------------------


@dataclass(frozen=True)
class AlarmLine:
    """A horizontal line at an alarm's threshold. ``times`` / ``per`` convert the threshold into the
    graph's unit (e.g. a utilisation-% alarm drawn on a count graph); ``label`` may use {threshold}
    and {value}."""

    alarm: Alarm
    label: str
    times: float = 1
    per: float = 1
    color: str = RED

    @property
    def value(self) -> float:
        return self.alarm.threshold * self.times / self.per

    @property
    def text(self) -> str:
        return self.label.format(threshold=self.alarm.threshold, value=self.value)


@dataclass(frozen=True)
class SloLine:
    """A horizontal line at a route's SLO: its latency target (ms) or its error budget (% of requests)."""

    slo: Slo
    target: Literal["latency", "error_budget"]
    color: str = RED

    @property
    def value(self) -> float:
        return self.slo.latency_ms if self.target == "latency" else self.slo.error_budget * 100

    @property
    def text(self) -> str:
        if self.target == "latency":
            return f"SLO {self.slo.percentile_stat} {self.slo.latency_ms} ms"
        return f"error budget {self.value:g} %"


@dataclass(frozen=True)
class Line:
    """A horizontal line at a value that is no alarm's or SLO's (e.g. the reserved concurrency)."""

    value: float
    text: str
    color: str = RED


Annotation = AlarmLine | SloLine | Line


@dataclass(frozen=True)
class Graph:
    title: str
    left: tuple[AnyMetric, ...]
    width: int
    height: int = 6
    right: tuple[AnyMetric, ...] = ()
    lines: tuple[Annotation, ...] = ()  # on the left axis
    stacked: bool = False
    edge: bool = False  # drawn from us-east-1 (CloudFront, WAF)
    left_max: float | None = None


@dataclass(frozen=True)
class Text:
    markdown: str
    width: int = 24
    height: int = 6
    transparent: bool = False


@dataclass(frozen=True)
class AlarmStatus:
    title: str
    alarms: tuple[AnyAlarm, ...]
    width: int
    height: int
    states: tuple[Literal["ALARM", "OK", "INSUFFICIENT_DATA"], ...] = ()  # show only these (empty: all)
    sort_by: Literal["default", "state_updated"] = "default"  # state_updated: latest change first


# The log groups a saved query can read, each with its region and the deploy-time value (Ref name) that
# holds its name: the function's (home region), the WAF's and CloudFront's access logs (EDGE_REGION).
LogGroup = Literal["function", "waf", "cloudfront_access_logs"]
LOG_GROUPS: Mapping[LogGroup, tuple[Region, str]] = {
    "function": ("home", "log_group_name"),
    "waf": ("edge", "waf_log_group_name"),
    "cloudfront_access_logs": ("edge", "cloudfront_access_log_group_name"),
}

# The log groups a dashboard log widget can read: the function's (home region) or CloudFront's access
# logs (standard logging v2, EDGE_REGION). Each names the saved-query folder under queries/ it runs.
LogSource = Literal["function", "cloudfront_access_logs"]


@dataclass(frozen=True)
class LogTable:
    """A Logs Insights widget running a saved query's text over one log group (``source``). Every
    refresh runs the query: a paid scan, which the title must say."""

    title: str
    query: str  # saved-query key (queries/service/ for "function", queries/cloudfront/ for "cloudfront_access_logs")
    view: Literal["table", "line"]
    width: int
    height: int = 6
    source: LogSource = "function"

    @property
    def edge(self) -> bool:
        """Queried in us-east-1, where CloudFront delivers its access logs."""
        return self.source == "cloudfront_access_logs"


Widget = Graph | Text | AlarmStatus | LogTable
Row = tuple[Widget, ...]


@dataclass(frozen=True)
class Section:
    """A titled block of the dashboard (the title is what playbooks point on-call at)."""

    title: str | None  # None: no title row (the header)
    rows: tuple[Row, ...]


def duration(seconds: int) -> str:
    """1 h, 5 min, 30 s: how alarm windows are spelled in names and descriptions."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"
