"""The operations dashboard's layout: the incident view first (dashboards.incident), the header, the units'
panels (in ``observability.plan.UNITS`` order, each drawn from its own alarms), the service-wide alarm states
and the recent-errors table.

Order: what notifies now, header, service totals, one row per route, Lambda health, concurrency, DynamoDB, edge
(CloudFront + WAF, drawn from us-east-1), edge cache, alarm status, recent errors (a paid query).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dashboards import incident
from dashboards.notes import SECTION_NOTES, header
from observability import queries, sections
from observability.model import AlarmStatus, LogTable, Row, Section
from observability.plan import Plan
from observability.unit import Panel

GRID_WIDTH = 24  # CloudWatch dashboards are 24 columns wide


def layout(plan: Plan) -> tuple[Section, ...]:
    """The dashboard of a plan; raises when a log widget names a query its log group lacks."""
    panels = [panel for p in plan.units for panel in p.unit.panels(plan.scope, p.alarms)]
    board = (incident.section(plan), header(plan.cfg), *join(panels), alarm_status(plan), recent_errors())
    _check(board, plan)
    return board


def join(panels: Iterable[Panel]) -> tuple[Section, ...]:
    """One section per title, in order of first appearance, its panels in order; the section's note
    (dashboards.notes) comes last."""
    rows: dict[str, list[Row]] = {}
    for panel in panels:
        _place(rows.setdefault(panel.section, []), panel.rows)
    for title, note in SECTION_NOTES.items():
        if title in rows:
            _place(rows[title], ((note,),))
    return tuple(Section(title, tuple(r)) for title, r in rows.items())


def _place(section: list[Row], rows: Sequence[Row]) -> None:
    """Append rows; the first continues the section's last row while the grid has room (as
    CloudWatch flows widgets): CloudFront's and WAF's graphs share the Edge section's first row."""
    if not rows:
        return
    first, *rest = rows
    if section and width(section[-1]) + width(first) <= GRID_WIDTH:
        section[-1] = (*section[-1], *first)
    else:
        section.append(first)
    section.extend(rest)


def width(row: Row) -> int:
    return sum(w.width for w in row)


def alarm_status(plan: Plan) -> Section:
    """The service-wide alarms' states, pages and tickets apart (route tickets are on each route's row)."""
    notifying = [a for a in plan.home_alarms if a.notify]
    return Section(
        sections.ALARMS,
        (
            tuple(
                AlarmStatus(
                    f"{title} (route tickets are on each route's row; edge alarms in us-east-1)",
                    tuple(a for a in notifying if a.severity == severity),
                    width=12,
                    height=3,
                )
                for severity, title in (("page", "Pages: users failing now"), ("ticket", "Tickets: working hours"))
            ),
        ),
    )


def recent_errors() -> Section:
    return Section(
        sections.LOGS,
        (
            (
                LogTable(
                    "Recent errors (runs a paid Logs Insights query on every refresh: keep auto-refresh off)",
                    query="recent-errors",
                    view="table",
                    width=24,
                ),
            ),
        ),
    )


def log_tables(board: Sequence[Section]) -> list[LogTable]:
    """The board's log widgets: each runs a paid Logs Insights scan on every refresh."""
    return [w for s in board for row in s.rows for w in row if isinstance(w, LogTable)]


def _check(board: Sequence[Section], plan: Plan) -> None:
    # A log widget's query must be deployed and written for the log group it reads (KeyError otherwise).
    logs = log_tables(board)
    for w in logs:
        queries.get(w.query, w.source)
    queries.check_keys([w.query for w in logs], plan.routes)
