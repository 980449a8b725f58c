"""The one place model declarations become CDK objects: metrics (for alarms and widgets alike),
alarms wired to their topic, and saved queries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from string import Template

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct

from observability.alarm_docs import description
from observability.model import LOG_GROUPS, Alarm, AnyAlarm, AnyMetric, Composite, Metric, Ref, Severity
from observability.monitoring_config import MonitoringConfig
from observability.queries import SavedQuery

# Deploy-time values, by Ref name: function_name, table_name, log_group_name, distribution_id, ...
Refs = Mapping[str, str]

_COMPARISON = {
    ">": cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
    ">=": cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    "<": cw.ComparisonOperator.LESS_THAN_THRESHOLD,
    "<=": cw.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
}
_MISSING = {
    "breaching": cw.TreatMissingData.BREACHING,
    "notBreaching": cw.TreatMissingData.NOT_BREACHING,
    "ignore": cw.TreatMissingData.IGNORE,
    "missing": cw.TreatMissingData.MISSING,
}


def fill(text: str, refs: Refs) -> str:
    """``$name`` placeholders in expressions and markdown, filled with deploy-time values."""
    return Template(text).safe_substitute(refs)


def metric(decl: AnyMetric, refs: Refs, *, region: str | None = None) -> cw.IMetric:
    """A metric or math expression. ``region`` draws it from another region (dashboards only: an
    alarm always reads its own region's metrics)."""
    if isinstance(decl, Metric):
        return cw.Metric(
            namespace=decl.namespace,
            metric_name=decl.name,
            dimensions_map={k: refs[v.name] if isinstance(v, Ref) else v for k, v in decl.dimensions},
            statistic=decl.statistic,
            period=Duration.seconds(decl.period_s),
            label=decl.label,
            color=decl.color,
            region=region,
        )
    return cw.MathExpression(
        expression=fill(decl.expression, refs),
        using_metrics={k: metric(m, refs, region=region) for k, m in decl.using.items()},
        period=Duration.seconds(decl.period_s),
        label=decl.label,
        color=decl.color,
        # A SEARCH (no inputs) names its region itself.
        search_region=region if not decl.using else None,
    )


def create_alarms(
    scope: Construct,
    alarms: Iterable[AnyAlarm],
    *,
    cfg: MonitoringConfig,
    refs: Refs,
    topics: Mapping[Severity, sns.ITopic],
) -> dict[str, cw.AlarmBase]:
    """Create the alarms in ``scope``, composites after their children, each notifying its severity's
    topic. Returns key -> alarm."""
    created: dict[str, cw.AlarmBase] = {}
    actions = {severity: cw_actions.SnsAction(topic) for severity, topic in topics.items()}
    for a in sorted(alarms, key=lambda a: isinstance(a, Composite)):
        alarm: cw.AlarmBase
        if isinstance(a, Alarm):
            alarm = cw.Alarm(
                scope,
                a.key,
                alarm_name=cfg.alarm_name(a.key),
                alarm_description=description(a, cfg),
                metric=metric(a.metric, refs),
                threshold=a.threshold,
                comparison_operator=_COMPARISON[a.comparison],
                evaluation_periods=a.evaluation_periods,
                datapoints_to_alarm=a.datapoints_to_alarm,
                treat_missing_data=_MISSING[a.missing_data],
            )
        else:
            alarm = cw.CompositeAlarm(
                scope,
                a.key,
                composite_alarm_name=cfg.alarm_name(a.key),
                alarm_description=description(a, cfg),
                alarm_rule=cw.AlarmRule.all_of(
                    *(cw.AlarmRule.from_alarm(created[c.key], cw.AlarmState.ALARM) for c in a.children)
                ),
            )
        if a.notify:
            # OK too, so on-call sees when it recovers without opening the console.
            alarm.add_alarm_action(actions[a.severity])
            alarm.add_ok_action(actions[a.severity])
        if isinstance(a, Alarm) and a.silence is not None:
            # Silence made visible: no data at all (INSUFFICIENT_DATA) notifies this severity's topic.
            alarm.add_insufficient_data_action(actions[a.silence])
        created[a.key] = alarm
    return created


def saved_queries(scope: Construct, found: Iterable[SavedQuery], *, cfg: MonitoringConfig, refs: Refs) -> None:
    """Each query on the log group it is tagged with (its name is a deploy-time value)."""
    for q in found:
        logs.CfnQueryDefinition(
            scope,
            f"Query-{q.key}",
            name=q.name(cfg.query_folder),
            query_string=q.text,
            log_group_names=[refs[LOG_GROUPS[q.log_group][1]]],
        )
