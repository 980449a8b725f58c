"""Alarm documentation, rendered from the units' alarms and playbooks: the alarm descriptions,
RUNBOOK.md and the failure-mode matrix (in RUNBOOK.md only).

``make docs`` regenerates the checked-in RUNBOOK.md for cdk.json's configuration (scripts/runbook.py);
a test fails when it is stale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from observability import failure_modes
from observability.assumptions import ASSUMPTIONS, Assumption
from observability.conditions import MISSING_DATA_TEXT, condition
from observability.failure_modes import MODES, ROUTE, ROUTE_SCOPES, FailureMode, conditions
from observability.model import EDGE_REGION, Alarm, AnyAlarm, Composite
from observability.monitoring_config import MonitoringConfig
from observability.plan import plan
from observability.proof import Minutes, spelled
from service.catalogue import ROUTES, RouteSpec

# CloudWatch's hard limit on AlarmDescription.
MAX_DESCRIPTION = 1024


def description(alarm: AnyAlarm, cfg: MonitoringConfig) -> str:
    """The alarm description on-call sees in the notification: what, first checks, where to look.

    The title, meaning, dashboard section, saved queries and runbook link are always whole; the first
    checks are cut at a word (ending "...") when a long runbook_url leaves no room for all of them:
    the runbook has them in full."""
    rb = alarm.runbook
    checks = " ".join(f"({i}) {_sentence(c)}" for i, c in enumerate(rb.first_checks, 1))
    queries = ", ".join(f"{cfg.query_folder}/{q}" for q in rb.saved_queries)
    head = f"{alarm.severity.upper()}. {rb.title}. {rb.meaning}"
    first = f" First checks: {checks}"
    where = f" Dashboard {cfg.dashboard_name} > {rb.dashboard_section}. Saved queries: {queries}."
    link = f" Runbook: {cfg.runbook_url}#{rb.kind}"
    room = MAX_DESCRIPTION - len(head) - len(where) - len(link)
    if len(first) > room:
        first = _clip(first, room)
    text = head + first + where + link
    if len(text) > MAX_DESCRIPTION:
        raise ValueError(f"{alarm.key}: description is {len(text)} chars (max {MAX_DESCRIPTION})")
    return text


def _clip(text: str, room: int, mark: str = " ...") -> str:
    """``text`` cut at a word so that it and ``mark`` fit in ``room`` ("" when nothing useful fits)."""
    cut = text[: max(room - len(mark), 0) + 1].rsplit(" ", 1)[0]
    return cut + mark if len(cut) > len(" First checks:") else ""


def every_alarm(cfg: MonitoringConfig, routes: Iterable[RouteSpec] = ROUTES) -> list[AnyAlarm]:
    """The alarms of both concurrency configurations: the reserved-concurrency alarm exists only with a
    reservation, the account-concurrency alarm only without one; the runbook documents both."""
    routes = tuple(routes)
    reserved, shared = plan(cfg, routes, reserved_concurrency=1).alarms, plan(cfg, routes, None).alarms
    out = list(reserved)
    keys = {a.key for a in out}
    for i, a in enumerate(shared):
        if a.key not in keys:
            out.insert(i, a)
    return out


def failure_matrix(
    cfg: MonitoringConfig | None = None, routes: Iterable[RouteSpec] = ROUTES, *, runbook_file: str = ""
) -> str:
    """The failure-mode matrix (observability/failure_modes.py) as a markdown table and its notes.

    ``runbook_file`` prefixes the runbook links: "" inside RUNBOOK.md, "RUNBOOK.md" from the README."""
    cfg = cfg or MonitoringConfig()
    routes = tuple(routes)
    by_key = {a.key: a for a in every_alarm(cfg, routes)}
    lines = [
        "| Row | Failure (example) | The viewer sees | Metrics that move | Severity (proven down to) "
        "| Pages and tickets (minutes after it starts) | Runbook |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    notes = []

    def notifies(key: str) -> AnyAlarm | None:
        """The alarm a row's key names, when it notifies and this configuration deploys it (a key the
        configuration lacks, e.g. the canary's without `canary`, is left out)."""
        alarm = by_key.get(key.replace(ROUTE, routes[0].name))
        return alarm if alarm is not None and alarm.notify else None

    for mode in MODES:
        pages, kinds, severities = [], {}, set()
        in_row, only = failure_modes.pages(mode), conditions(mode)
        for key, minutes in in_row.items():
            alarm = notifies(key)
            if alarm is None or minutes is None or (ROUTE not in key and key.startswith("route-")):
                continue
            kinds[alarm.playbook.kind] = alarm.playbook.title
            severities.add(alarm.severity)
            pages.append(_page(cfg, mode, key, minutes, alarm.severity, only))
        pages += _route_exceptions(cfg, in_row, notifies)
        pages += [
            f"{_name(cfg, key)}: {spelled(minutes)} on a low-traffic day only"
            for key, minutes in failure_modes.low_traffic(mode).items()
            if minutes is not None and key not in in_row and notifies(key)
        ]
        pages += [
            f"{_name(cfg, key)}: does not page on a low-traffic day ({why})"
            for key, why in failure_modes.not_at_low_traffic(mode).items()
            if notifies(key)
        ]
        runbook = ", ".join(f"[{title}]({runbook_file}#{kind})" for kind, title in kinds.items()) or "-"
        cell = "<br>".join(pages) or "nothing"
        severity = "page" if "page" in severities else "ticket" if severities else "-"
        floor = f"**{severity}** ({mode.proven_down_to})" if severities else "-"
        lines.append(
            f"| {mode.row} | **{mode.title}** ({mode.example}) | {mode.viewer_sees} | {mode.metrics_move} "
            f"| {floor} | {cell} | {runbook} |"
        )
        if mode.note:
            notes.append(f"- ({mode.row}) {mode.note}")
    return "\n".join([*lines, "", *notes]) + "\n"


def assumptions_markdown() -> str:
    """What each row assumes about AWS (observability/assumptions.py): a row -> assumptions table, then each
    assumption once, documented (with its page) or assumed (with how to confirm it in an account)."""
    numbered: dict[Assumption, str] = {}
    for mode in MODES:
        for a in ASSUMPTIONS.get(mode.row, ()):
            numbered.setdefault(a, f"A{len(numbered) + 1}")
    lines = [
        "### What the matrix assumes about AWS",
        "",
        "The scenario world publishes metrics the way these say AWS does: a row's minutes hold as far as its "
        "assumptions do. *Documented* ones cite the AWS page; *assumed* ones no page states outright: confirm "
        "them once in your own account (a test stage) with the step given.",
        "",
        "| Row | Assumes |",
        "| --- | --- |",
    ]
    lines += [f"| {m.row} | {', '.join(numbered[a] for a in ASSUMPTIONS.get(m.row, ()))} |" for m in MODES]
    lines.append("")
    for a, label in numbered.items():
        if a.documented:
            lines.append(f"- **{label}** *documented*: {a.behaviour} ([AWS documentation]({a.source})).")
        else:
            lines.append(f"- **{label}** *assumed*: {a.behaviour}. Confirm: {a.confirm}.")
    return "\n".join(lines) + "\n"


def _name(cfg: MonitoringConfig, key: str) -> str:
    return f"`{cfg.alarm_name(key.replace(ROUTE, '<name>'))}`"


def _page(
    cfg: MonitoringConfig, mode: FailureMode, key: str, minutes: Minutes, severity: str, only: Mapping[str, str]
) -> str:
    scope = f" ({ROUTE_SCOPES[mode.routes]})" if ROUTE in key else ""
    when = f" ({only[key]})" if key in only else ""
    return f"**{severity}** {_name(cfg, key)}{scope}{when}: {spelled(minutes)}"


def _route_exceptions(
    cfg: MonitoringConfig, in_row: Mapping[str, Minutes | None], notifies: Callable[[str], AnyAlarm | None]
) -> list[str]:
    """A route's own entries that differ from its pattern (another SLO pages later, or not at all)."""
    out = []
    for key, minutes in in_row.items():
        alarm = notifies(key)
        if ROUTE in key or not key.startswith("route-") or alarm is None:
            continue
        ctx = alarm.context
        when = spelled(minutes) if minutes is not None else "does not page"
        slo = f"{ctx['percentile']} {ctx['latency_ms']} ms" if "latency" in key else ctx.get("availability", "")
        out.append(f"`{cfg.alarm_name(key)}` ({slo} SLO): {when}")
    return out


def render_markdown(cfg: MonitoringConfig | None = None, routes: Iterable[RouteSpec] = ROUTES, *, how: str = "") -> str:
    """RUNBOOK.md for this configuration; ``how`` (header) says which one it is and how to render another."""
    cfg = cfg or MonitoringConfig()
    kinds: dict[str, list[AnyAlarm]] = {}
    for a in every_alarm(cfg, routes):
        kinds.setdefault(a.playbook.kind, []).append(a)

    lines = [
        "# RUNBOOK",
        "",
        "<!-- Generated by `make docs` from the monitored units (observability/units) and the route",
        "     catalogue. Do not edit by hand: a test fails when this file is stale. -->",
        "",
        *([how, ""] if how else []),
        "Every notifying alarm has a severity. A **page** means users are failing now: someone acts at any hour.",
        "A **ticket** is for working hours: a cause, a budget leak or one route's trouble that the pages would",
        "catch if users felt it (each ticket says why it is no page). Pages go to the SNS topic",
        f"`{cfg.topic_name('home', 'page')}` (home region) or, for the CloudFront, WAF and canary alarms that live in",
        f"us-east-1 next to their metrics, `{cfg.topic_name('edge', 'page')}` (config `alarm_email`); tickets to",
        f"`{cfg.topic_name('home', 'ticket')}` and `{cfg.topic_name('edge', 'ticket')}` (config `ticket_email`).",
        "Each alarm description starts with its severity and carries a short version of its section: what it",
        "means, first checks, the dashboard section and saved queries.",
        "",
        f"- Dashboard: **{cfg.dashboard_name}** (CloudWatch > Dashboards, home region).",
        f"- Saved queries: Logs Insights > Saved queries > folder **{cfg.query_folder}**.",
        "- Follow one request end to end: query `correlation-id` with the `x-correlation-id` response",
        "  header, then open its `xray_trace_id` in X-Ray.",
        "",
        "| Alarm kind | Alarms | Severity | Region |",
        "| --- | --- | --- | --- |",
    ]
    for kind, group in kinds.items():
        region = EDGE_REGION if group[0].region == "edge" else "home"
        severities = sorted({a.severity for a in group if a.notify})
        severity = ", ".join(severities) or "- (building block)"
        lines.append(f"| [{group[0].playbook.title}](#{kind}) | {len(group)} | {severity} | {region} |")
    lines += [
        "",
        "## Failure-mode matrix",
        "",
        "What each way of breaking looks like, what pages and what tickets. The minutes are proven, not estimated: "
        "`tests/scenarios` synthesizes the app, feeds each row's per-minute metrics to an offline "
        "CloudWatch evaluator and fails unless exactly these alarms (and the burn-rate windows under "
        "them) reach ALARM within these minutes. Each row runs on normal traffic and on a low-traffic day "
        "(2-10 requests a minute per route, with cold starts), under every ingestion lag (each source "
        "0-3 minutes late, alone and all together) and evaluation range (N to N+3 periods): a range "
        "covers every minute seen and both its ends are seen. Minutes count from the first failing "
        'minute to ALARM as CloudWatch sees it, lag included; each row is judged for 45 minutes ("does not page": '
        "not within them). *Severity (proven down to)* is the row's first notification and the lowest traffic "
        "at which it is proven. Nothing pages on a quiet night (a few requests an hour), a low-traffic day, a "
        "bursty batch (idle, then 400 requests in two minutes), a busy day, a quiet API (1-2 requests a minute "
        "per route) whose client retries one bad request 3 or 4 times, or an office day at 1-3 requests a minute "
        "with morning cold starts, a deploy and fan-out reads, under any of those lags. Any one route totally "
        "down pages within 15 minutes at 1 request per 5 or 10 minutes, at random arrivals of 0.2 a minute and "
        "with no real traffic at all: the canary calls every route every 5 minutes "
        "(tests/scenarios/test_quiet_api.py). Each alarm's threshold, metrics, missing-data treatment, "
        "periods, evaluation periods, datapoints to alarm and the floors inside its expression are pinned "
        "by these scenarios: mutated, every alarm breaks at least one of them, or "
        "tests/scenarios/test_mutations.py says why the mutation cannot matter.",
        "",
        failure_matrix(cfg, routes),
        assumptions_markdown(),
    ]

    for kind, group in kinds.items():
        # Route kinds keep their placeholders (<route>, ...): the table below lists the concrete alarms.
        rb = group[0].playbook.render(group[0].context if "route" not in group[0].context else {})
        lines += [f'<a id="{kind}"></a>', "", f"## {rb.title}", "", f"**What it means.** {rb.meaning}", ""]
        lines.append("**First checks.**")
        lines += [f"{i}. {_sentence(c)}" for i, c in enumerate(rb.first_checks, 1)]
        lines += [
            "",
            f"**Where to look.** Dashboard `{cfg.dashboard_name}`, section *{rb.dashboard_section}*; "
            + "saved queries "
            + ", ".join(f"`{cfg.query_folder}/{q}`" for q in rb.saved_queries)
            + ".",
            "",
        ]
        lines += _table(group, cfg)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


def _table(group: list[AnyAlarm], cfg: MonitoringConfig) -> list[str]:
    rows = ["| Alarm | Condition | Missing data | Notifies |", "| --- | --- | --- | --- |"]
    why_severity: dict[str, None] = {}
    whys: dict[str, None] = {}
    for a in group:
        if isinstance(a, Alarm):
            missing = MISSING_DATA_TEXT[a.missing_data]
            whys[f"{missing}: {a.missing_data_why}"] = None
        elif isinstance(a, Composite):
            missing = "n/a (composite)"
        notifies: str = a.severity if a.notify else "no (feeds a composite)"
        if isinstance(a, Alarm) and a.silence is not None:
            notifies += f"; no data at all: {a.silence}"
        if a.notify and a.severity_why:
            why_severity[f"{a.severity}, not a page: {a.severity_why}"] = None
        cond = condition(a).replace("|", "\\|")
        rows.append(f"| `{cfg.alarm_name(a.key)}` | {cond} | {missing} | {notifies} |")
    if whys:
        rows += ["", "Missing data: " + "; ".join(whys) + "."]
    if why_severity:
        rows += ["", "Why a " + "; ".join(why_severity) + "."]
    return rows
