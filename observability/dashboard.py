"""The operator dashboard's layout: the units' sections, top to bottom, plus the header, the
service-wide alarm states and the recent-errors table.

Order: header, service totals, one row per route, Lambda health, concurrency, DynamoDB, edge
(CloudFront + WAF, drawn from us-east-1), alarm status, recent errors (a paid query).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from observability import queries, sections
from observability.config import MonitoringConfig
from observability.model import EDGE_REGION, Alarm, AlarmStatus, AnyAlarm, LogTable, Row, Section, Text
from observability.units import cloudfront, dynamodb, edge_cache, function_url, lambda_function, route, service, waf
from service.catalogue import RouteSpec

# The home region is a deploy-time value ($home_region, filled in by the CDK layer).
CONSOLE = "https://$home_region.console.aws.amazon.com/cloudwatch/home?region=$home_region"
EDGE_CONSOLE = f"https://{EDGE_REGION}.console.aws.amazon.com/cloudwatch/home?region={EDGE_REGION}"


FUNCTION_URL_NOTE = """**Function URL (home region).** `UrlRequestCount` counts every request CloudFront delivered,
also those the URL answered itself: refused (403: OAC signature or Lambda permission, unsigned body), throttled
(429), crashed or timed out (502). *Answered by the service* counts access lines. The gap between the two lines
is what the function never saw; the right graph splits it into refused 4xx and unanswered 5xx (the alarms).
CloudFront requests (above, us-east-1) far above URL requests: CloudFront answers without the origin (WAF, API-key
function, origin unreachable)."""


def header(cfg: MonitoringConfig) -> Section:
    service_queries = ", ".join(f"`{q.key}`" for q in queries.service_queries())
    per_route = " / ".join(f"`{queries.route_query_key('<name>', k)}`" for k in queries.route_query_kinds())
    md = f"""# {cfg.service_name}: operations
**How to read it.** Top: the whole service (every request, true percentiles over all routes). Then **one row per
route** from the catalogue: requests, fault (5xx) and 4xx rates with the error budget as a red line, latency
p50/p90/p99 with the route's SLO as a red line, and its alarms. Below: Lambda, concurrency against the reserved
value, DynamoDB, the edge (CloudFront + WAF, us-east-1), the edge cache when a route is cached, and the recent-errors
log table (it, the init-duration chart and the edge-cache table run a paid Logs Insights query on every refresh).
Rates are `Average` of 0/1 metrics: 1 % = 1 request in 100.

**When an alarm fires**, its description is a short runbook; the full one is [RUNBOOK.md]({cfg.runbook_url}).
[Home-region alarms]({CONSOLE}#alarmsV2:) · [Edge alarms (us-east-1)]({EDGE_CONSOLE}#alarmsV2:) ·
[Logs Insights]({CONSOLE}#logsV2:logs-insights) > Saved queries > folder **{cfg.query_folder}**: {service_queries},
plus {per_route} per route."""
    return Section(None, ((Text(md, height=6),),))


def layout(
    cfg: MonitoringConfig,
    routes: Sequence[RouteSpec],
    reserved_concurrency: int | None,
    home_alarms: Sequence[AnyAlarm],
    route_alarms: Mapping[str, list[AnyAlarm]],
    edge_alarms: Sequence[AnyAlarm],
) -> tuple[Section, ...]:
    by_key = {a.key: a for a in (*home_alarms, *edge_alarms) if isinstance(a, Alarm)}
    route_rows: list[Row] = []
    for r in routes:
        route_rows += route.row(cfg, r, route_alarms[r.name])
    cache = edge_cache.section(cfg, routes)
    return (
        header(cfg),
        service.section(cfg, routes),
        Section(sections.ROUTES, tuple(route_rows)),
        lambda_function.health_section(cfg),
        lambda_function.concurrency_section(
            reserved_concurrency, by_key.get("lambda-concurrency-utilisation"), by_key.get("lambda-account-concurrency")
        ),
        dynamodb.section(),
        Section(
            sections.EDGE,
            (
                (
                    *cloudfront.widgets(by_key["cloudfront-5xx-rate"], by_key["cloudfront-4xx-rate"]),
                    *waf.widgets(by_key["waf-blocked-spike"]),
                ),
                # Home region, next to CloudFront's: URL requests falling while CloudFront's hold = requests
                # that never reach the function; the URL's answers without the function, as the alarms see them.
                (
                    *function_url.widgets(cfg, by_key["function-url-refused"], by_key["function-url-5xx-unanswered"]),
                    Text(FUNCTION_URL_NOTE, width=12),
                ),
            ),
        ),
        *((cache,) if cache else ()),
        Section(
            sections.ALARMS,
            (
                (
                    AlarmStatus(
                        "Service-wide alarms (route alarms are on each route's row; edge alarms in us-east-1)",
                        tuple(a for a in home_alarms if a.notify),
                        width=24,
                        height=3,
                    ),
                ),
            ),
        ),
        Section(
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
        ),
    )
