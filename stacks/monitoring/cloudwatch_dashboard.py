"""Renders the dashboard laid out by ``dashboards.layout`` (sections of widgets) to CloudWatch with CDK."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from constructs import Construct

from observability import queries
from observability.model import EDGE_REGION, LOG_GROUPS, AlarmStatus, Annotation, Graph, LogTable, Section, Text, Widget
from observability.monitoring_config import MonitoringConfig
from stacks.monitoring.render import Refs, fill, metric

_VIEWS = {"table": cw.LogQueryVisualizationType.TABLE, "line": cw.LogQueryVisualizationType.LINE}


def dashboard(
    scope: Construct,
    construct_id: str,
    layout: Sequence[Section],
    *,
    cfg: MonitoringConfig,
    refs: Refs,
    alarms: Mapping[str, cw.IAlarm],
) -> cw.Dashboard:
    board = cw.Dashboard(scope, construct_id, dashboard_name=cfg.dashboard_name, default_interval=Duration.hours(3))
    for section in layout:
        if section.title:
            board.add_widgets(
                cw.TextWidget(
                    markdown=f"## {section.title}", width=24, height=1, background=cw.TextWidgetBackground.TRANSPARENT
                )
            )
        for row in section.rows:
            board.add_widgets(*(widget(w, refs, alarms) for w in row))
    return board


def widget(w: Widget, refs: Refs, alarms: Mapping[str, cw.IAlarm]) -> cw.IWidget:
    if isinstance(w, Graph):
        return graph(w, refs)
    if isinstance(w, Text):
        background = {"background": cw.TextWidgetBackground.TRANSPARENT} if w.transparent else {}
        return cw.TextWidget(markdown=fill(w.markdown, refs), width=w.width, height=w.height, **background)
    if isinstance(w, AlarmStatus):
        optional: dict[str, object] = {}
        if w.states:
            optional["states"] = [cw.AlarmState[s] for s in w.states]
        if w.sort_by == "state_updated":
            optional["sort_by"] = cw.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP
        return cw.AlarmStatusWidget(
            title=w.title,
            alarms=[alarms[a.key] for a in w.alarms],
            width=w.width,
            height=w.height,
            **optional,  # type: ignore[arg-type]  # only states/sort_by, each of its type; the dict says object
        )
    return log_widget(w, refs)


def log_widget(w: LogTable, refs: Refs) -> cw.LogQueryWidget:
    # A log widget queries its log group's region: the edge access logs exist only in us-east-1.
    return cw.LogQueryWidget(
        title=w.title,
        log_group_names=[refs[LOG_GROUPS[w.source][1]]],
        query_string=widget_query(queries.get(w.query, w.source).text),
        view=_VIEWS[w.view],
        width=w.width,
        height=w.height,
        region=EDGE_REGION if w.edge else None,
    )


def graph(g: Graph, refs: Refs) -> cw.GraphWidget:
    # Counts, rates and latencies never go below zero, and units on the axis only add clutter.
    region = EDGE_REGION if g.edge else None
    optional: dict[str, object] = {}
    if g.right:
        optional["right"] = [metric(m, refs, region=region) for m in g.right]
        optional["right_y_axis"] = cw.YAxisProps(min=0, show_units=False)
    if g.lines:
        optional["left_annotations"] = [annotation(a) for a in g.lines]
    if g.stacked:
        optional["stacked"] = True
    if region:
        optional["region"] = region
    return cw.GraphWidget(
        title=g.title,
        left=[metric(m, refs, region=region) for m in g.left],
        left_y_axis=cw.YAxisProps(min=0, max=g.left_max, show_units=False),
        width=g.width,
        height=g.height,
        **optional,  # type: ignore[arg-type]  # optional GraphWidget keywords (right axis, stacked)
    )


def annotation(a: Annotation) -> cw.HorizontalAnnotation:
    """The line's value and label come from its alarm or SLO object (model.AlarmLine / SloLine)."""
    return cw.HorizontalAnnotation(value=a.value, label=a.text, color=a.color)


def widget_query(text: str) -> str:
    """A saved query's text without its comment lines (the widget prefixes its own SOURCE clause)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
