"""Everything monitored, and where: the units put together for one configuration (plain data).

The CDK layer (stacks/monitoring) renders a :class:`Plan`; RUNBOOK.md and the cost table read one
without CDK. Route alarms and queries are kept per route: they live in nested stacks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from observability import dashboard, queries
from observability.config import MonitoringConfig
from observability.model import AnyAlarm, LogTable, Section
from observability.queries import SavedQuery
from observability.units import cloudfront, dynamodb, function_url, lambda_function, route, shield, waf
from service.catalogue import ROUTES, RouteSpec


@dataclass(frozen=True)
class Plan:
    cfg: MonitoringConfig
    routes: tuple[RouteSpec, ...]
    home_alarms: tuple[AnyAlarm, ...]  # home region, whatever the catalogue
    route_alarms: Mapping[str, list[AnyAlarm]]  # route name -> its alarms (home region)
    edge_alarms: tuple[AnyAlarm, ...]  # us-east-1: CloudFront and WAF metrics exist only there
    home_queries: tuple[SavedQuery, ...]  # on the function's log group
    route_queries: Mapping[str, tuple[SavedQuery, ...]]  # route name -> its queries
    edge_queries: tuple[SavedQuery, ...]  # on the WAF log group (us-east-1)
    edge_log_queries: tuple[SavedQuery, ...]  # on CloudFront's access log group (us-east-1)
    dashboard: tuple[Section, ...]

    @property
    def alarms(self) -> list[AnyAlarm]:
        """Every alarm of both regions, in RUNBOOK.md order."""
        per_route = [a for r in self.routes for a in self.route_alarms[r.name]]
        return [*self.home_alarms, *per_route, *self.edge_alarms]


def plan(
    cfg: MonitoringConfig | None = None,
    routes: Iterable[RouteSpec] = ROUTES,
    reserved_concurrency: int | None = 1,
) -> Plan:
    """The plan for a catalogue. ``reserved_concurrency`` decides whether the utilisation alarm
    exists (its value is in no text; RUNBOOK.md and the cost table use the default 1)."""
    cfg = cfg or MonitoringConfig()
    routes = tuple(routes)
    home = (*lambda_function.alarms(cfg, reserved_concurrency), *dynamodb.alarms(), *function_url.alarms(cfg))
    per_route = {r.name: route.alarms(cfg, r) for r in routes}
    edge = (*cloudfront.alarms(cfg), *waf.alarms(cfg), *shield.alarms(cfg))
    result = Plan(
        cfg=cfg,
        routes=routes,
        home_alarms=home,
        route_alarms=per_route,
        edge_alarms=edge,
        home_queries=queries.service_queries(),
        route_queries={r.name: queries.route_queries(r) for r in routes},
        edge_queries=queries.waf_queries(),
        edge_log_queries=queries.cloudfront_log_queries(),
        dashboard=dashboard.layout(cfg, routes, reserved_concurrency, home, per_route, edge),
    )
    _check(result)
    return result


def _check(p: Plan) -> None:
    keys = [a.key for a in p.alarms]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate alarm keys: {sorted({k for k in keys if keys.count(k) > 1})}")
    # Playbooks and log widgets name saved queries by key: each must be one that is deployed, and a
    # log widget's query must be written for the log group it reads (KeyError otherwise).
    logs = [w for s in p.dashboard for row in s.rows for w in row if isinstance(w, LogTable)]
    for w in logs:
        queries.get(w.query, w.source)
    queries.check_keys([*(w.query for w in logs), *(q for a in p.alarms for q in a.runbook.saved_queries)], p.routes)
