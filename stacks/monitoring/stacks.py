"""The two monitoring stacks: ``MonitoringStack`` (home region) and ``EdgeMonitoringStack``
(us-east-1, where CloudFront and WAF metrics live: an alarm must be in its metric's region).

Both render one ``observability.plan.Plan`` (the home one also its dashboard, ``dashboards.layout``);
nothing here decides what is monitored.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

from aws_cdk import NestedStack, Stack, Token
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from dashboards.layout import layout
from observability.model import EDGE_REGION, Severity
from observability.plan import Plan
from service.catalogue import RouteSpec
from stacks.canary import ApiCanary
from stacks.monitoring.cloudwatch_dashboard import dashboard
from stacks.monitoring.render import create_alarms, saved_queries
from stacks.monitoring.topic import severity_topics


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
        plan: Plan,
        routes: list[RouteSpec],
        topics: Mapping[Severity, sns.ITopic],
        log_group_name: str,
    ) -> None:
        super().__init__(
            scope, construct_id, description=f"{plan.cfg.service_name}: per-route alarms and saved queries"
        )
        self.alarms: dict[str, cw.AlarmBase] = {}
        for route in routes:
            alarms = plan.route_alarms[route.name]
            self.alarms |= create_alarms(self, alarms, cfg=plan.cfg, refs={}, topics=topics)
            saved_queries(self, plan.route_queries[route.name], cfg=plan.cfg, log_group_name=log_group_name)


class MonitoringStack(Stack):
    """Home region: alarm topic, Lambda / DynamoDB alarms, one nested stack per bucket of routes
    (route alarms and queries), the service saved queries and the dashboard."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        plan: Plan,
        function: lambda_.IFunction,
        table: dynamodb.ITable,
        log_group: logs.ILogGroup,
        distribution_id: str,
        web_acl_metric_name: str,
        cloudfront_access_log_group_name: str,
        alarm_email: str | None,
        ticket_email: str | None = None,
        **kwargs: Any,
    ) -> None:
        """``alarm_email`` / ``ticket_email``: subscribed to the page / ticket topic.
        ``cloudfront_access_log_group_name``: CloudFront's access log group in us-east-1 (a fixed name, no token:
        the dashboard's edge log widget queries it there)."""
        super().__init__(scope, construct_id, **kwargs)
        cfg = plan.cfg
        # The construct path (and so every logical id) keeps the "Monitoring" level.
        scope = Construct(self, "Monitoring")
        topics = severity_topics(scope, cfg, "home", alarm_email, ticket_email)
        refs: Mapping[str, str] = {
            "function_name": function.function_name,
            "table_name": table.table_name,
            "log_group_name": log_group.log_group_name,
            "cloudfront_access_log_group_name": cloudfront_access_log_group_name,
            "distribution_id": distribution_id,
            "web_acl_metric_name": web_acl_metric_name,
            "home_region": self.region,
            # AWS/Lambda's Resource dimension of an alias: "<function>:<alias>" (used only with one).
            "function_resource": f"{function.function_name}:{cfg.function_alias}",
        }
        alarms = create_alarms(scope, plan.home_alarms, cfg=cfg, refs=refs, topics=topics)
        buckets: dict[int, list[RouteSpec]] = {}
        for r in plan.routes:
            buckets.setdefault(route_bucket(r, cfg.route_stack_buckets), []).append(r)
        for b in sorted(buckets):
            nested = RouteAlarmsStack(
                scope,
                f"Routes{b}",
                plan=plan,
                routes=buckets[b],
                topics=topics,
                log_group_name=log_group.log_group_name,
            )
            alarms |= nested.alarms
        saved_queries(scope, plan.home_queries, cfg=cfg, log_group_name=log_group.log_group_name)
        dashboard(scope, "Dashboard", layout(plan), cfg=cfg, refs=refs, alarms=alarms)


class EdgeMonitoringStack(Stack):
    """us-east-1: CloudFront and WAF alarms, their alarm topic, the WAF and CloudFront access-log
    saved queries, and the outside-in canary (with config `canary`) whose alarm pages from here."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        plan: Plan,
        distribution_id: str,
        web_acl_metric_name: str,
        waf_log_group: logs.ILogGroup,
        cloudfront_access_log_group: logs.ILogGroup,
        alarm_email: str | None,
        api_url: str,
        api_keys: bool,
        ticket_email: str | None = None,
        **kwargs: Any,
    ) -> None:
        """``api_url``: the API's public URL (custom domain, else the distribution's), called by the canary;
        ``api_keys``: the edge checks keys, so the canary gets one of its own."""
        super().__init__(scope, construct_id, **kwargs)
        if not Token.is_unresolved(self.region) and self.region != EDGE_REGION:
            raise ValueError(f"EdgeMonitoringStack must be deployed to {EDGE_REGION}, not {self.region}")
        cfg = plan.cfg
        scope = Construct(self, "EdgeMonitoring")
        topics = severity_topics(scope, cfg, "edge", alarm_email, ticket_email)
        self.canary = (
            ApiCanary(scope, "Canary", name=cfg.canary_name, api_url=api_url, routes=plan.routes, api_keys=api_keys)
            if cfg.canary
            else None
        )
        refs = {
            "distribution_id": distribution_id,
            "web_acl_metric_name": web_acl_metric_name,
            "distribution_arn": self.format_arn(
                service="cloudfront", region="", resource="distribution", resource_name=distribution_id
            ),
        }
        create_alarms(scope, plan.edge_alarms, cfg=cfg, refs=refs, topics=topics)
        saved_queries(scope, plan.waf_queries, cfg=cfg, log_group_name=waf_log_group.log_group_name)
        saved_queries(
            scope, plan.cloudfront_log_queries, cfg=cfg, log_group_name=cloudfront_access_log_group.log_group_name
        )
