"""The two monitoring stacks: ``MonitoringStack`` (home region) and ``EdgeMonitoringStack``
(us-east-1, where CloudFront and WAF metrics live: an alarm must be in its metric's region).

Both render one ``observability.plan.Plan``: each deploys what the plan placed in its region (its own
alarms and saved queries, then each group's in nested stacks; the home one also the dashboard,
``dashboards.layout``), with the deploy-time values stacks/monitoring/refs.py declares. Nothing here
decides what is monitored, or knows one unit from another.
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
from observability.model import EDGE_REGION, Region, Severity
from observability.plan import Plan
from stacks.canary import ApiCanary
from stacks.monitoring.cloudwatch_dashboard import dashboard
from stacks.monitoring.refs import supplied
from stacks.monitoring.render import Refs, create_alarms, saved_queries
from stacks.monitoring.topic import severity_topics


def group_bucket(group: str, buckets: int) -> int:
    """A group's nested stack (a route's, by its name). A stable hash (not the catalogue position) so
    adding or removing a route never moves another route's explicitly named alarms to a different stack,
    which would make CloudFormation create the new alarm, then delete the old one of the same name."""
    return zlib.crc32(group.encode()) % buckets


def deploy(
    scope: Construct,
    plan: Plan,
    region: Region,
    group: str | None,
    *,
    refs: Refs,
    topics: Mapping[Severity, sns.ITopic],
) -> dict[str, cw.AlarmBase]:
    """One stack's share of the plan: its alarms (each wired to its severity's topic), then its saved
    queries, each on the log group it reads. Returns key -> alarm."""
    alarms = create_alarms(scope, plan.alarms_at(region, group), cfg=plan.cfg, refs=refs, topics=topics)
    saved_queries(scope, plan.queries_at(region, group), cfg=plan.cfg, refs=refs)
    return alarms


class GroupsStack(NestedStack):
    """Alarms and saved queries of a bucket of groups (routes): keeps the parent template small at any scale."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        plan: Plan,
        region: Region,
        groups: list[str],
        topics: Mapping[Severity, sns.ITopic],
        refs: Refs,
    ) -> None:
        super().__init__(
            scope, construct_id, description=f"{plan.cfg.service_name}: per-route alarms and saved queries"
        )
        self.alarms: dict[str, cw.AlarmBase] = {}
        for group in groups:
            self.alarms |= deploy(self, plan, region, group, refs=refs, topics=topics)


def deploy_groups(
    scope: Construct, plan: Plan, region: Region, *, refs: Refs, topics: Mapping[Severity, sns.ITopic]
) -> dict[str, cw.AlarmBase]:
    """The region's groups in ``route_stack_buckets`` nested stacks ("Routes<bucket>"). Returns key -> alarm."""
    buckets: dict[int, list[str]] = {}
    for g in plan.groups(region):
        buckets.setdefault(group_bucket(g, plan.cfg.route_stack_buckets), []).append(g)
    alarms: dict[str, cw.AlarmBase] = {}
    for b in sorted(buckets):
        nested = GroupsStack(scope, f"Routes{b}", plan=plan, region=region, groups=buckets[b], topics=topics, refs=refs)
        alarms |= nested.alarms
    return alarms


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
        refs = supplied(
            "home",
            function_name=function.function_name,
            table_name=table.table_name,
            log_group_name=log_group.log_group_name,
            cloudfront_access_log_group_name=cloudfront_access_log_group_name,
            distribution_id=distribution_id,
            web_acl_metric_name=web_acl_metric_name,
            home_region=self.region,
            # AWS/Lambda's Resource dimension of an alias: "<function>:<alias>" (used only with one).
            function_resource=f"{function.function_name}:{cfg.function_alias}",
        )
        alarms = create_alarms(scope, plan.alarms_at("home"), cfg=cfg, refs=refs, topics=topics)
        alarms |= deploy_groups(scope, plan, "home", refs=refs, topics=topics)
        saved_queries(scope, plan.queries_at("home"), cfg=cfg, refs=refs)
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
        refs = supplied(
            "edge",
            distribution_id=distribution_id,
            web_acl_metric_name=web_acl_metric_name,
            distribution_arn=self.format_arn(
                service="cloudfront", region="", resource="distribution", resource_name=distribution_id
            ),
            waf_log_group_name=waf_log_group.log_group_name,
            cloudfront_access_log_group_name=cloudfront_access_log_group.log_group_name,
        )
        deploy(scope, plan, "edge", None, refs=refs, topics=topics)
        deploy_groups(scope, plan, "edge", refs=refs, topics=topics)
