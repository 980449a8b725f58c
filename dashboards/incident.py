"""The incident view: the first thing on both dashboards, for on-call's first ten seconds.

What notifies now (only alarms with ``notify``: a composite's window alarms reach nobody), with its severity,
grouped by cause (the alarm's playbook kind: one runbook entry, one set of first checks), where to read more.

- CloudWatch (:func:`section`): alarm-status widgets of the home region's notifying alarms, one per severity,
  showing only those in ALARM, most recently changed first; beside them a table of every notifying kind with its
  severity, first check, saved queries and RUNBOOK.md link (a dashboard cannot show an alarm's text itself).
- The local console (:func:`groups`): the same alarms with their simulated state, grouped, each with its
  title, a stable "since" (UTC), why it is still red, its first checks and links to its saved queries and
  RUNBOOK entry (the console serves RUNBOOK.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dashboards.notes import CONSOLE, EDGE_CONSOLE
from observability import sections
from observability.conditions import condition
from observability.model import AlarmStatus, AnyAlarm, Section, Text
from observability.monitoring_config import MonitoringConfig
from observability.plan import Plan

TITLE = sections.INCIDENT
# Pages first: a page wakes someone; a ticket waits for working hours.
SEVERITY_ORDER: dict[str, int] = {"page": 0, "ticket": 1}
SEVERITY_TEXT: dict[str, str] = {"page": "PAGE", "ticket": "TICKET"}


def notifying(alarms: Iterable[AnyAlarm]) -> list[AnyAlarm]:
    """The alarms that reach someone, in plan order (window alarms feed a composite and reach nobody)."""
    return [a for a in alarms if a.notify]


def home_notifying(plan: Plan) -> list[AnyAlarm]:
    return [a for a in notifying(plan.alarms) if a.region == "home"]


# ---- CloudWatch ------------------------------------------------------------------------------------


def section(plan: Plan) -> Section:
    """The deployed dashboard's first section: what is in ALARM now (per severity) and how to answer it."""
    alarms = home_notifying(plan)
    widgets: list[AlarmStatus | Text] = []
    for severity in sorted({a.severity for a in alarms}, key=SEVERITY_ORDER.__getitem__):
        chosen = tuple(a for a in alarms if a.severity == severity)
        widgets.append(
            AlarmStatus(
                f"{SEVERITY_TEXT[severity]}: notifying alarms in ALARM now, latest change first (empty: none)",
                chosen,
                width=6,
                height=8,
                states=("ALARM",),
                sort_by="state_updated",
            )
        )
    widgets.append(Text(kinds_markdown(plan.cfg, alarms), width=24 - 6 * (len(widgets)), height=8))
    return Section(TITLE, (tuple(widgets),))


def kinds_markdown(cfg: MonitoringConfig, alarms: Sequence[AnyAlarm]) -> str:
    """One table row per (cause, severity) among ``alarms``: how many alarms, the first check, the saved
    queries and the RUNBOOK.md entry."""
    rows: dict[tuple[str, str], list[AnyAlarm]] = {}
    for a in alarms:
        rows.setdefault((a.playbook.kind, a.severity), []).append(a)
    lines = [
        "**What to do.** The runbook entry of each alarm kind (its full text is also the alarm's description); "
        f"saved queries are in [Logs Insights]({CONSOLE}#logsV2:logs-insights) > Saved queries > "
        f"**{cfg.query_folder}**. Edge alarms (CloudFront, WAF, canary) live in us-east-1: "
        f"[alarms in us-east-1]({EDGE_CONSOLE}#alarmsV2:).",
        "",
        "| Cause | Severity | Alarms | First check | Saved queries |",
        "| --- | --- | --- | --- | --- |",
    ]
    for (kind, severity), group in sorted(rows.items(), key=lambda kv: SEVERITY_ORDER[kv[0][1]]):
        rb = group[0].runbook if len(group) == 1 else group[0].playbook.render({})
        queries = ", ".join(f"`{q}`" for q in rb.saved_queries)
        check = _cell(rb.first_checks[0]) if rb.first_checks else ""
        lines.append(
            f"| [{_cell(rb.title)}]({cfg.runbook_url}#{kind}) | {SEVERITY_TEXT[severity]} | {len(group)} "
            f"| {check} | {queries} |"
        )
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


# ---- the local console ------------------------------------------------------------------------------


def groups(
    alarms: Sequence[AnyAlarm],
    states: Mapping[str, Mapping[str, Any]],
    *,
    runbook_href: str,
    query_href: str,
) -> list[dict[str, Any]]:
    """The notifying alarms in ALARM, grouped by cause (playbook kind) and severity: pages first, then the
    longest-standing cause first (what started it is likeliest the oldest). ``states``: key -> the console's
    alarm entry (state, since, why). ``runbook_href`` and ``query_href`` are prefixes of the links."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for a in notifying(alarms):
        st = states.get(a.key) or {}
        if st.get("state") != "ALARM":
            continue
        rb = a.runbook
        group = out.get((a.playbook.kind, a.severity))
        if group is None:
            # Route kinds: one entry for every route (the placeholders stay visible as <route>).
            generic = a.playbook.render({}) if "route" in a.context else rb
            group = out[(a.playbook.kind, a.severity)] = {
                "kind": a.playbook.kind,
                "cause": generic.title,
                "severity": a.severity,
                "runbook": f"{runbook_href}#{a.playbook.kind}",
                "first_checks": list(generic.first_checks),
                "alarms": [],
                "queries": {},
            }
        group["alarms"].append(
            {
                "key": a.key,
                "title": rb.title,
                "route": a.context.get("route"),
                "condition": condition(a),
                "since": st.get("since"),
                "why": st.get("why"),
            }
        )
        for q in rb.saved_queries:
            group["queries"][q] = f"{query_href}{q}"
    ordered = sorted(
        out.values(),
        key=lambda g: (SEVERITY_ORDER[g["severity"]], min(a["since"] or 0 for a in g["alarms"])),
    )
    for g in ordered:
        g["since"] = min((a["since"] for a in g["alarms"] if a["since"]), default=None)
        g["queries"] = [{"key": k, "href": v} for k, v in g["queries"].items()]
    return ordered


def counts(alarms: Sequence[AnyAlarm], states: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """Notifying alarms the console can judge, by state (no data is its own state, never OK), and by
    severity among those in ALARM."""
    out = {"ALARM": 0, "OK": 0, "INSUFFICIENT_DATA": 0, "page": 0, "ticket": 0}
    for a in notifying(alarms):
        st = states.get(a.key)
        if not st or not st.get("local"):
            continue
        state = st.get("state") or "INSUFFICIENT_DATA"
        out[state] += 1
        if state == "ALARM":
            out[a.severity] += 1
    return out
