"""Turns alarm specs into CloudWatch alarms wired to an SNS topic."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.monitoring.config import MonitoringConfig
from stacks.monitoring.metrics import alarm_metric
from stacks.monitoring.runbook import description
from stacks.monitoring.spec import AlarmSpec, AnyAlarm, CompositeSpec

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


def create_alarms(
    scope: Construct,
    specs: Iterable[AnyAlarm],
    *,
    cfg: MonitoringConfig,
    refs: Mapping[str, str],
    topic: sns.ITopic,
) -> dict[str, cw.AlarmBase]:
    """Create every spec in ``scope``; composites after their children. Returns key -> alarm."""
    created: dict[str, cw.AlarmBase] = {}
    action = cw_actions.SnsAction(topic)
    for spec in sorted(specs, key=lambda s: isinstance(s, CompositeSpec)):
        alarm: cw.AlarmBase
        if isinstance(spec, AlarmSpec):
            alarm = cw.Alarm(
                scope,
                spec.key,
                alarm_name=cfg.alarm_name(spec.key),
                alarm_description=description(spec, cfg),
                metric=alarm_metric(spec, refs),
                threshold=spec.threshold,
                comparison_operator=_COMPARISON[spec.comparison],
                evaluation_periods=spec.evaluation_periods,
                datapoints_to_alarm=spec.datapoints_to_alarm,
                treat_missing_data=_MISSING[spec.missing_data],
            )
        else:
            alarm = cw.CompositeAlarm(
                scope,
                spec.key,
                composite_alarm_name=cfg.alarm_name(spec.key),
                alarm_description=description(spec, cfg),
                alarm_rule=cw.AlarmRule.all_of(
                    *(cw.AlarmRule.from_alarm(created[c], cw.AlarmState.ALARM) for c in spec.children)
                ),
            )
        if spec.notify:
            # OK too, so on-call sees when it recovers without opening the console.
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)
        created[spec.key] = alarm
    return created
