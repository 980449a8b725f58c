"""Regenerate the generated blocks of the documents: `python -m scripts.doc_tables` (part of `make docs`).

Each table lives in the document about its subject, between `<!-- BEGIN <block> (generated: make docs) -->`
and `<!-- END <block> -->`:

- docs/api.md, `routes`: the route table, from the catalogue;
- docs/operations.md, `alarms`: every alarm that notifies, from the units' alarm definitions;
- docs/cost.md, `cost`: the monitoring cost table (observability/cost.py, with the dashboard's log widgets);
- queries/README.md, `queries`: every saved query, from the first comment line of its file.

A test renders every document and fails when one differs, so no table can drift from the routes the
service serves, the alarms it deploys, the queries it saves or what its observability costs. The
failure-mode matrix is rendered once, into RUNBOOK.md (scripts/runbook.py, observability/alarm_docs.py).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

from dashboards.layout import layout, log_tables
from observability.alarm_docs import every_alarm
from observability.conditions import condition as condition_of
from observability.cost import render_markdown
from observability.model import EDGE_REGION, LOG_GROUPS, AnyAlarm, LogGroup
from observability.monitoring_config import MonitoringConfig
from observability.plan import plan
from service.catalogue import ROUTES

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"

# How the queries table names each log group a saved query can read (observability.model.LOG_GROUPS).
LOG_GROUP_TEXT: dict[LogGroup, str] = {
    "function": "function",
    "waf": "WAF (us-east-1)",
    "cloudfront_access_logs": "CloudFront access logs (us-east-1)",
}


def routes_table() -> str:
    rows = [
        "| route | name | what it does | SLO: latency | SLO: availability |",
        "|---|---|---|---|---|",
    ]
    for r in ROUTES:
        rows.append(
            f"| `{r.label}` | `{r.name}` | {r.summary} | {r.slo.percentile_stat} <= {r.slo.latency_ms} ms "
            f"| {r.slo.availability * 100:g} % |"
        )
    return "\n".join(rows)


# The configuration that adds an alarm RUNBOOK.md (rendered for cdk.json) does not document.
_ADDS = {
    "shield-ddos-detected": "shield_advanced=true",
    "certificate-expiry": "domain_name=api.example.com -c certificate_arn=<its ACM ARN in us-east-1>",
}


def alarms_table() -> str:
    """Every alarm that notifies, in RUNBOOK.md order, for the defaults. Alarms that exist only in one
    configuration say which; route alarms appear once, with the first route's condition."""
    cfg = MonitoringConfig(service_name="<service>")
    first = ROUTES[:1]
    # Shield Advanced and a custom domain's certificate add one alarm each: listed with their condition.
    example_cert = "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
    shield = dataclasses.replace(cfg, shield_advanced=True, certificate_arn=example_cert)
    reserved = {a.key for a in plan(cfg, first, reserved_concurrency=1).alarms}
    shared = {a.key for a in plan(cfg, first, reserved_concurrency=None).alarms}
    default = reserved & shared

    def only(alarm: AnyAlarm) -> str:
        if alarm.key in default:
            return ""
        if alarm.key in reserved - shared:
            return " (only when concurrency is reserved)"
        if alarm.key in shared - reserved:
            return " (only when `reserved_concurrency` is 0: the function shares the account pool)"
        if alarm.key == "certificate-expiry":
            return " (only with a custom domain: `certificate_arn`)"
        return " (only with `shield_advanced: true`)"

    in_runbook = {a.playbook.kind for a in every_alarm(cfg, first)}  # RUNBOOK.md is rendered without Shield
    route_prefix = f"route-{first[0].name}-"
    rows = ["| Alarm | Severity | Region | Fires when | Runbook |", "| --- | --- | --- | --- | --- |"]
    windows = 0
    for a in every_alarm(shield, first):
        if not a.notify:
            windows += a.key.startswith(route_prefix)
            continue
        name, condition = cfg.alarm_name(a.key), condition_of(a, missing=True)
        if a.key.startswith(route_prefix):
            name = cfg.alarm_name("route-<name>-" + a.key.removeprefix(route_prefix))
            condition = f"per route, e.g. `{first[0].name}`: {condition}"
        region = EDGE_REGION if a.region == "edge" else "home"
        cell = (condition + only(a)).replace("|", "\\|")
        runbook = (
            f"[{a.playbook.title}](../RUNBOOK.md#{a.playbook.kind})"
            if a.playbook.kind in in_runbook
            else f"{a.playbook.title}: `make docs CDK_ARGS='-c {_ADDS[a.key]}'` adds it to RUNBOOK.md"
        )
        rows.append(f"| `{name}` | {a.severity} | {region} | {cell} | {runbook} |")
    if windows:
        rows += [
            "",
            f"Each route also has {windows} window alarms that do not notify: they feed the burn-rate "
            "composites ([RUNBOOK.md](../RUNBOOK.md#route-fault-rate-window)); the service-wide burns have "
            "six more ([RUNBOOK.md](../RUNBOOK.md#service-failure-share-window)).",
        ]
    return "\n".join(rows)


def _what(path: Path) -> str:
    """The first sentence of the file's opening comment (`# <Title>: <what it shows>.`), template
    placeholders shown as `<name>`."""
    comment = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        comment.append(line.lstrip("# ").strip())
    sentence = re.split(r"(?<=\.)\s", " ".join(comment), maxsplit=1)[0]
    return re.sub(r"\$\{(\w+)\}", r"`<\1>`", sentence).replace("|", "\\|")


def queries_table() -> str:
    """Every saved query the units deploy (each on the log group it is tagged with), then the per-route ones
    once, as templates."""
    rows = ["| Query | Log group | What it shows | File |", "| --- | --- | --- | --- |"]
    files = {p.stem.replace("_", "-"): p for p in QUERIES.glob("*/*.query")}
    shared = [q for q in plan(MonitoringConfig(), ROUTES).queries if q.group is None]
    for q in sorted(shared, key=lambda q: list(LOG_GROUPS).index(q.log_group)):
        path = files[q.key]
        rel = path.relative_to(QUERIES).as_posix()
        rows.append(f"| `{q.key}` | {LOG_GROUP_TEXT[q.log_group]} | {_what(path)} | [`{rel}`]({rel}) |")
    for path in sorted((QUERIES / "route").glob("*.query.tmpl")):
        key = f"route-<name>-{path.name.removesuffix('.query.tmpl')}"
        rows.append(f"| `{key}` | function, per route | {_what(path)} | [`route/{path.name}`](route/{path.name}) |")
    return "\n".join(rows)


def cost_table() -> str:
    board = layout(plan(MonitoringConfig(), ROUTES, reserved_concurrency=1))
    return render_markdown(log_tables(board)).rstrip("\n")


# document (relative to the repository root) -> block name -> its content
BLOCKS: dict[str, dict[str, Callable[[], str]]] = {
    "docs/api.md": {"routes": routes_table},
    "docs/operations.md": {"alarms": alarms_table},
    "docs/cost.md": {"cost": cost_table},
    "queries/README.md": {"queries": queries_table},
}


def render(doc: str, text: str) -> str:
    """``text`` (the document ``doc``) with its generated blocks rendered afresh."""
    for name, content in BLOCKS[doc].items():
        begin, end = f"<!-- BEGIN {name} (generated: make docs) -->", f"<!-- END {name} -->"
        pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
        if not pattern.search(text):
            raise SystemExit(f"{doc} has no {begin} ... {end} block")
        block = f"{begin}\n{content()}\n{end}"
        text = pattern.sub(lambda _, block=block: block, text)  # type: ignore[misc]  # mypy cannot infer a lambda whose default binds a loop variable (ruff B023)
    return text


def main() -> None:
    for doc in BLOCKS:
        path = ROOT / doc
        text = path.read_text(encoding="utf-8")
        new = render(doc, text)
        if new != text:
            path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
