"""The loader reads real CDK output: a tiny stack with a math alarm and a composite, synthesized here."""

from __future__ import annotations

from tests.support.synth import use_pinned_node

use_pinned_node()

import aws_cdk as cdk  # noqa: E402
from aws_cdk import aws_cloudwatch as cw  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402

from observability.simulator.evaluator import ALARM, OK  # noqa: E402
from observability.simulator.loader import load_templates  # noqa: E402
from observability.simulator.series import Scenario, Series  # noqa: E402


def test_cdk_math_alarm_and_composite_evaluate() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "Tiny")
    fn_name = cdk.CfnParameter(stack, "FnName").value_as_string  # a token, like the real stacks' references

    def metric(name: str) -> cw.Metric:
        return cw.Metric(
            namespace="AWS/Lambda", metric_name=name, dimensions_map={"FunctionName": fn_name}, statistic="Sum"
        )

    refused = cw.Alarm(
        stack,
        "Refused",
        metric=cw.MathExpression(
            expression="100 * FILL(url4xx, 0) / requests",
            using_metrics={"url4xx": metric("Url4xxCount"), "requests": metric("UrlRequestCount")},
            period=cdk.Duration.minutes(1),
        ),
        threshold=50,
        comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluation_periods=3,
        datapoints_to_alarm=2,
        treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
    )
    busy = cw.Alarm(
        stack,
        "Busy",
        metric=metric("UrlRequestCount"),
        threshold=10,
        evaluation_periods=1,
        treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
    )
    cw.CompositeAlarm(
        stack,
        "Page",
        alarm_rule=cw.AlarmRule.all_of(
            cw.AlarmRule.from_alarm(refused, cw.AlarmState.ALARM), cw.AlarmRule.from_alarm(busy, cw.AlarmState.ALARM)
        ),
    )
    template = Template.from_stack(stack).to_json()

    aset = load_templates({"Tiny": template}, symbols={"ref:FnName": "FUNCTION"})
    keys = {k.split("/")[1][:4]: k for k in aset.alarms}  # logical ids carry a hash suffix
    assert sorted(keys) == ["Busy", "Page", "Refu"]
    dims = {"FunctionName": "FUNCTION"}
    requests = Series.constant(range(30), 20)
    scn = (
        Scenario(end=30)
        .add("AWS/Lambda", "UrlRequestCount", dims, requests)
        # from minute 10 on, the URL refuses every request (no function ran: no EMF, only Url4xxCount)
        .add("AWS/Lambda", "Url4xxCount", dims, Series.constant(range(10, 30), 20))
    )
    out = aset.evaluate(scn)
    assert out[keys["Refu"]].states[10] == OK
    assert out[keys["Refu"]].minutes_to_alarm(since=10) == 2  # 2 of 3 one-minute datapoints
    assert out[keys["Page"]].first_alarm_minute() == 12
    quiet = Scenario(end=30).add("AWS/Lambda", "UrlRequestCount", dims, Series.counter({5: 1}))
    assert not any(tl.ever(ALARM) for tl in aset.evaluate(quiet).values())
