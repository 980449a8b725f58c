"""CDK stacks for the lead's app.py: ``MonitoringStack`` (home region) and ``EdgeMonitoringStack``
(us-east-1). Both take plain, typed inputs so they can sit next to the infra stacks in any order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Stack, Token
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from service.catalogue import ROUTES, RouteSpec
from stacks.monitoring.config import MonitoringConfig
from stacks.monitoring.facade import EdgeMonitoring, ServiceMonitoring
from stacks.monitoring.metrics import EDGE_REGION


class MonitoringStack(Stack):
    """Home region: dashboard, saved queries, Lambda / DynamoDB / per-route alarms, alarm topic.

    ``distribution_id`` and ``web_acl_metric_name`` only feed the dashboard's edge widgets (drawn from
    us-east-1); pass None to leave them out. A distribution id from a us-east-1 stack is a
    cross-region reference when the home region differs: set ``cross_region_references=True`` on
    this stack (CDK carries the value through SSM), or pass the id as a plain string.
    ``web_acl_metric_name`` is the web ACL's VisibilityConfig metric name (the WebACL dimension).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        table: dynamodb.ITable,
        log_group: logs.ILogGroup,
        reserved_concurrency: int | None,
        routes: Sequence[RouteSpec] = ROUTES,
        distribution_id: str | None = None,
        web_acl_metric_name: str | None = None,
        alarm_email: str | None = None,
        config: MonitoringConfig | None = None,
        topic_key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config or MonitoringConfig()
        self.monitoring = ServiceMonitoring(
            self,
            "Monitoring",
            function=function,
            table_name=table.table_name,
            log_group_name=log_group.log_group_name,
            reserved_concurrency=reserved_concurrency,
            routes=routes,
            distribution_id=distribution_id,
            web_acl_metric_name=web_acl_metric_name,
            alarm_email=alarm_email,
            cfg=self.config,
            topic_key=topic_key,
        )


class EdgeMonitoringStack(Stack):
    """us-east-1: CloudFront 5xx-rate and WAF blocked-spike alarms (an alarm must live in its metric's
    region), their alarm topic, and the WAF saved query on the WAF log group."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        distribution_id: str,
        web_acl_metric_name: str,
        waf_log_group: logs.ILogGroup | str | None = None,
        alarm_email: str | None = None,
        config: MonitoringConfig | None = None,
        topic_key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        if not Token.is_unresolved(self.region) and self.region != EDGE_REGION:
            raise ValueError(f"EdgeMonitoringStack must be deployed to {EDGE_REGION}, not {self.region}")
        self.config = config or MonitoringConfig()
        log_group_name = (
            waf_log_group if isinstance(waf_log_group, str) or waf_log_group is None else waf_log_group.log_group_name
        )
        self.monitoring = EdgeMonitoring(
            self,
            "EdgeMonitoring",
            distribution_id=distribution_id,
            web_acl_metric_name=web_acl_metric_name,
            waf_log_group_name=log_group_name,
            alarm_email=alarm_email,
            cfg=self.config,
            topic_key=topic_key,
        )
