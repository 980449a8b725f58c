"""Regenerate README.md's generated blocks: `python -m scripts.readme` (part of `make docs`).

Blocks: the route table (from the catalogue), the monitoring cost table (from the catalogue
and the alarm definitions) and the failure-mode matrix (observability/failure_modes.py, proven by
tests/scenarios). A test runs `render()` and fails when README.md differs, so the
README cannot drift from the routes the service serves or what its observability costs.
"""

from __future__ import annotations

import re
from pathlib import Path

from dashboards.layout import layout, log_tables
from observability.alarm_docs import failure_matrix
from observability.cost import render_markdown
from observability.monitoring_config import MonitoringConfig
from observability.plan import plan
from service.catalogue import ROUTES

README = Path(__file__).resolve().parents[1] / "README.md"


def table() -> str:
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


def blocks() -> dict[str, str]:
    return {
        "routes": table(),
        "cost": render_markdown(log_tables(layout(plan(MonitoringConfig(), ROUTES, reserved_concurrency=1)))).rstrip(
            "\n"
        ),
        "failure-modes": failure_matrix(runbook_file="RUNBOOK.md").rstrip("\n"),
    }


def render(readme: str) -> str:
    for name, content in blocks().items():
        begin, end = f"<!-- BEGIN {name} (generated: make docs) -->", f"<!-- END {name} -->"
        pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
        if not pattern.search(readme):
            raise SystemExit(f"README.md has no {begin} ... {end} block")
        readme = pattern.sub(lambda _, b=begin, c=content, e=end: f"{b}\n{c}\n{e}", readme)
    return readme


def main() -> None:
    README.write_text(render(README.read_text()))


if __name__ == "__main__":
    main()
