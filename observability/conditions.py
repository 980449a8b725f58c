"""An alarm's condition in words, generated from its fields: the statistic and metric (or the unit's words
for an expression), comparison and threshold, period, M of N, the floor inside an ``IF`` and, on request,
the missing-data treatment. A unit's ``condition`` prose says only what the fields cannot (what an
expression measures), so a changed threshold, period or floor can never leave the text behind."""

from __future__ import annotations

import re

from observability.model import Alarm, AnyAlarm, Expression, Metric, duration

MISSING_DATA_TEXT = {
    "notBreaching": "treated as OK",
    "breaching": "treated as breaching",
    "ignore": "ignored (state kept)",
    "missing": "INSUFFICIENT_DATA",
}
# A threshold or a floor restated in prose: the fields say it (tests/unit/observability/test_unit_guard.py rejects it).
RESTATED = re.compile(r"(?:>=|<=|>|<)\s*-?\d")


def condition(alarm: AnyAlarm, *, missing: bool = False) -> str:
    """E.g. ``Sum(Errors) >= 1 over 5 min``; ``% refused (...) >= 20 in 2 consecutive periods of 5 min
    (when requests >= 10)``; a composite: its words, then its children's rule."""
    if not isinstance(alarm, Alarm):
        rule = " AND ".join(f"{c.key} {c.comparison} {c.threshold:g} {window(c)}" for c in alarm.children)
        return f"{alarm.condition}: {rule}" if alarm.condition else rule
    text = f"{measure(alarm)} {alarm.comparison} {alarm.threshold:g} {window(alarm)}"
    floor = if_condition(alarm.metric.expression) if isinstance(alarm.metric, Expression) else None
    if floor:
        text += f" (when {floor})"
    if missing:
        text += f"; missing data {MISSING_DATA_TEXT[alarm.missing_data]}"
    return text


def measure(alarm: Alarm) -> str:
    """What is compared: the unit's words, else the metric's statistic and name (or the expression)."""
    if alarm.condition:
        return alarm.condition
    m = alarm.metric
    return f"{m.statistic}({m.name})" if isinstance(m, Metric) else m.expression


def window(alarm: Alarm) -> str:
    period, m, n = duration(alarm.metric.period_s), alarm.datapoints_to_alarm, alarm.evaluation_periods
    if n == 1:
        return f"over {period}"
    if m == n:
        return f"in {n} consecutive periods of {period}"
    return f"in {m} of {n} periods of {period}"


def if_condition(expression: str) -> str | None:
    """The condition of an expression's leading ``IF(cond, ...)`` (its request floors), else None."""
    if not expression.startswith("IF("):
        return None
    depth = 0
    for i, ch in enumerate(expression[3:], 3):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and ch == ",":
            return expression[3:i].strip()
    return None
