"""The dashboard's own texts: the header (how to read it, where the alarms and queries are) and the
notes of sections that span several units."""

from __future__ import annotations

from observability import queries, sections
from observability.model import EDGE_REGION, Section, Text
from observability.monitoring_config import MonitoringConfig

# The home region is a deploy-time value ($home_region, filled in by the CDK layer).
CONSOLE = "https://$home_region.console.aws.amazon.com/cloudwatch/home?region=$home_region"
EDGE_CONSOLE = f"https://{EDGE_REGION}.console.aws.amazon.com/cloudwatch/home?region={EDGE_REGION}"


FUNCTION_URL_NOTE = """**Function URL (home region).** `UrlRequestCount` counts every request CloudFront delivered,
also those the URL answered itself: refused (403: OAC signature or Lambda permission, unsigned body), throttled
(429), crashed or timed out (502). *Answered by the service* counts access lines. The gap between the two lines
is what the function never saw; the right graph splits it into refused 4xx and unanswered 5xx (the alarms).
CloudFront requests (above, us-east-1) far above URL requests: CloudFront answers without the origin (WAF, API-key
function, origin unreachable)."""

# Section title -> a note after the section's last widget: what the section's units show together.
SECTION_NOTES: dict[str, Text] = {
    sections.EDGE: Text(FUNCTION_URL_NOTE, width=12),
}


def header(cfg: MonitoringConfig) -> Section:
    service_queries = ", ".join(f"`{q.key}`" for q in queries.service_queries())
    per_route = " / ".join(f"`{queries.route_query_key('<name>', k)}`" for k in queries.route_query_kinds())
    md = f"""# {cfg.service_name}: operations
**How to read it.** Above: what notifies now, by severity, and what to do about it. Then the whole service
(every request, true percentiles over all routes). Then **one row per route** from the catalogue: requests, fault
(5xx) and 4xx rates with the error budget as a red line, latency p50/p90/p99 with the route's SLO as a red line,
and its alarms. Below: Lambda, concurrency against the reserved value, DynamoDB, the edge (CloudFront + WAF,
us-east-1), the edge cache when a route is cached, and the recent-errors log table (it, the init-duration chart
and the edge-cache table run a paid Logs Insights query on every refresh).
Rates are `Average` of 0/1 metrics: 1 % = 1 request in 100.

**When an alarm fires**, its description is a short runbook; the full one is [RUNBOOK.md]({cfg.runbook_url}).
[Home-region alarms]({CONSOLE}#alarmsV2:) · [Edge alarms (us-east-1)]({EDGE_CONSOLE}#alarmsV2:) ·
[Logs Insights]({CONSOLE}#logsV2:logs-insights) > Saved queries > folder **{cfg.query_folder}**: {service_queries},
plus {per_route} per route."""
    return Section(None, ((Text(md, height=6),),))
