"""CDK metric builders shared by the alarms and the dashboard, so both read the same metrics."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw

from service.contract import DIM_ROUTE, DIM_SERVICE
from stacks.monitoring.config import MonitoringConfig
from stacks.monitoring.spec import AlarmSpec, MetricSpec, Ref

EDGE_REGION = "us-east-1"  # AWS/CloudFront and CLOUDFRONT-scope AWS/WAFV2 metrics live only here


def from_spec(
    spec: MetricSpec, refs: Mapping[str, str], *, region: str | None = None, label: str | None = None
) -> cw.Metric:
    dims = {k: refs[v.name] if isinstance(v, Ref) else v for k, v in spec.dimensions}
    return cw.Metric(
        namespace=spec.namespace,
        metric_name=spec.name,
        dimensions_map=dims,
        statistic=spec.statistic,
        period=Duration.seconds(spec.period_s),
        label=label,
    )


def alarm_metric(spec: AlarmSpec, refs: Mapping[str, str]) -> cw.IMetric:
    """The metric or math expression an alarm watches (always in the alarm's own region)."""
    if spec.expression is None:
        (only,) = spec.metrics.values()
        return from_spec(only, refs)
    period = max(m.period_s for m in spec.metrics.values())
    return cw.MathExpression(
        expression=spec.expression,
        using_metrics={k: from_spec(m, refs) for k, m in spec.metrics.items()},
        period=Duration.seconds(period),
        label=spec.expression_label,
    )


class ServiceMetrics:
    """The service's own EMF metrics: {service} for the service view, {service, route} per route."""

    def __init__(self, cfg: MonitoringConfig) -> None:
        self._cfg = cfg

    def service(self, name: str, statistic: str, *, label: str | None = None, period_s: int = 60) -> cw.Metric:
        return cw.Metric(
            namespace=self._cfg.namespace,
            metric_name=name,
            dimensions_map={DIM_SERVICE: self._cfg.service_name},
            statistic=statistic,
            period=Duration.seconds(period_s),
            label=label,
        )

    def route(
        self, name: str, statistic: str, route_label: str, *, label: str | None = None, period_s: int = 60
    ) -> cw.Metric:
        return cw.Metric(
            namespace=self._cfg.namespace,
            metric_name=name,
            dimensions_map={DIM_SERVICE: self._cfg.service_name, DIM_ROUTE: route_label},
            statistic=statistic,
            period=Duration.seconds(period_s),
            label=label,
        )


def cloudfront(name: str, distribution_id: str, statistic: str, *, label: str | None = None) -> cw.Metric:
    """Built by hand: Distribution.metric*() omits DistributionId/Region=Global and the region."""
    return cw.Metric(
        namespace="AWS/CloudFront",
        metric_name=name,
        dimensions_map={"DistributionId": distribution_id, "Region": "Global"},
        statistic=statistic,
        period=Duration.minutes(5),
        region=EDGE_REGION,
        label=label,
    )


def waf(name: str, web_acl_metric_name: str, *, rule: str = "ALL", label: str | None = None) -> cw.Metric:
    """CLOUDFRONT-scope web ACL metrics: WebACL + Rule, and no Region dimension."""
    return cw.Metric(
        namespace="AWS/WAFV2",
        metric_name=name,
        dimensions_map={"WebACL": web_acl_metric_name, "Rule": rule},
        statistic="Sum",
        period=Duration.minutes(5),
        region=EDGE_REGION,
        label=label,
    )
