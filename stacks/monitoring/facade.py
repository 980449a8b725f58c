"""The facade: one construct per region that wires the factories, queries and dashboard together.

``ServiceMonitoring`` (home region): alarm topic, core alarms (Lambda, DynamoDB), one nested stack
per bucket of routes (route alarms + route saved queries), service saved queries and the dashboard.
``EdgeMonitoring`` (us-east-1): alarm topic, CloudFront and WAF alarms, the WAF saved query.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from aws_cdk import NestedStack
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

import queries
from dashboards.operations import DashboardInputs, build_operations_dashboard
from service.catalogue import RouteSpec
from stacks.monitoring import plan
from stacks.monitoring.config import MonitoringConfig
from stacks.monitoring.factories.sns import alarm_topic
from stacks.monitoring.render import create_alarms
from stacks.monitoring.spec import AlarmSpec


def saved_query(scope: Construct, q: queries.SavedQuery, cfg: MonitoringConfig, log_group_name: str) -> None:
    logs.CfnQueryDefinition(
        scope,
        f"Query-{q.key}",
        name=q.name(cfg.query_folder),
        query_string=q.text,
        log_group_names=[log_group_name],
    )


def route_bucket(route: RouteSpec, buckets: int) -> int:
    """A route's nested stack. A stable hash (not the catalogue position) so adding or removing a
    route never moves another route's explicitly named alarms to a different stack, which would
    make CloudFormation create the new alarm, then delete the old one of the same name."""
    return zlib.crc32(route.name.encode()) % buckets


class RouteAlarmsStack(NestedStack):
    """Alarms and saved queries of a bucket of routes: keeps the parent template small at any scale."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cfg: MonitoringConfig,
        routes: Sequence[RouteSpec],
        topic: sns.ITopic,
        log_group_name: str,
    ) -> None:
        super().__init__(scope, construct_id, description=f"{cfg.name_prefix}: per-route alarms and saved queries")
        self.dashboard_alarms: dict[str, list[cw.IAlarm]] = {}
        for route in routes:
            specs = plan.route_alarms(cfg, route)
            created = create_alarms(self, specs, cfg=cfg, refs={}, topic=topic)
            # The route row shows what notifies (latency + composites), not the window building blocks.
            self.dashboard_alarms[route.name] = [created[s.key] for s in specs if s.notify]
            for q in queries.route_queries([route]):
                saved_query(self, q, cfg, log_group_name)


class ServiceMonitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        table_name: str,
        log_group_name: str,
        reserved_concurrency: int | None,
        routes: Sequence[RouteSpec],
        distribution_id: str | None,
        web_acl_metric_name: str | None,
        alarm_email: str | None,
        cfg: MonitoringConfig,
        topic_key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = alarm_topic(
            self, "AlarmTopic", topic_name=f"{cfg.name_prefix}-alarms", email=alarm_email, master_key=topic_key
        )
        refs = {"function_name": function.function_name, "table_name": table_name}
        core = plan.core_alarms(cfg, reserved_concurrency)
        self.alarms: dict[str, cw.AlarmBase] = create_alarms(self, core, cfg=cfg, refs=refs, topic=self.topic)

        buckets: dict[int, list[RouteSpec]] = {}
        for r in routes:
            buckets.setdefault(route_bucket(r, cfg.route_stack_buckets), []).append(r)
        self.route_stacks: list[RouteAlarmsStack] = []
        route_alarms: dict[str, list[cw.IAlarm]] = {}
        for b in sorted(buckets):
            nested = RouteAlarmsStack(
                self,
                f"Routes{b}",
                cfg=cfg,
                routes=buckets[b],
                topic=self.topic,
                log_group_name=log_group_name,
            )
            self.route_stacks.append(nested)
            route_alarms.update(nested.dashboard_alarms)

        service_queries = queries.service_queries()
        for q in service_queries:
            saved_query(self, q, cfg, log_group_name)

        self.dashboard = build_operations_dashboard(
            self,
            "Dashboard",
            DashboardInputs(
                cfg=cfg,
                routes=tuple(routes),
                function=function,
                table_name=table_name,
                log_group_name=log_group_name,
                reserved_concurrency=reserved_concurrency,
                distribution_id=distribution_id,
                web_acl_metric_name=web_acl_metric_name,
                queries=service_queries,
                core_alarms=[self.alarms[s.key] for s in core if isinstance(s, AlarmSpec) and s.notify],
                route_alarms=route_alarms,
            ),
        )


class EdgeMonitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        distribution_id: str,
        web_acl_metric_name: str,
        waf_log_group_name: str | None,
        alarm_email: str | None,
        cfg: MonitoringConfig,
        topic_key: kms.IKey | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = alarm_topic(
            self, "AlarmTopic", topic_name=f"{cfg.name_prefix}-edge-alarms", email=alarm_email, master_key=topic_key
        )
        refs = {"distribution_id": distribution_id, "web_acl_metric_name": web_acl_metric_name}
        self.alarms = create_alarms(self, plan.edge_alarms(cfg), cfg=cfg, refs=refs, topic=self.topic)
        if waf_log_group_name:
            for q in queries.waf_queries():
                saved_query(self, q, cfg, waf_log_group_name)
