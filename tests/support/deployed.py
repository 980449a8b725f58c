"""What the synthesized app deploys, read across its stacks: templates by region, the Logs Insights queries."""

from __future__ import annotations

from observability.plan import plan
from tests.support.cfn import StackTemplate, dashboard_bodies, log_widget_queries
from tests.support.synth import Synth


def home_templates(s: Synth) -> list[StackTemplate]:
    return s.templates["home"].all_templates()


def all_templates(s: Synth) -> list[StackTemplate]:
    return home_templates(s) + s.templates["edge"].all_templates()


def queries_read(s: Synth) -> dict[str, str]:
    """Every Logs Insights query over the service's log group, as deployed: the saved queries of the
    monitoring stack and its nested route stacks, and the dashboard's log widgets (not the edge-cache
    widget over CloudFront's access logs: tests/unit/test_cloudfront_log_queries.py holds those)."""
    out = {
        res["Properties"]["Name"]: res["Properties"]["QueryString"]
        for t in s.templates["home"].all_templates()
        for res in t.resources("AWS::Logs::QueryDefinition").values()
    }
    # Every query the units place on the function's log group (a new unit's too), and nothing else.
    planned = plan(s.config.monitoring, s.routes, s.config.reserved_concurrency).queries
    folder = s.config.monitoring.query_folder
    assert sorted(out) == sorted(q.name(folder) for q in planned if q.log_group == "function")
    for body in dashboard_bodies(s.templates["home"]):
        edge_logs = s.stacks.edge.cloudfront_access_log_group_name
        out |= {f"log widget {i}": text for i, text in enumerate(log_widget_queries(body, exclude_source=edge_logs))}
    return out
