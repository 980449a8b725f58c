"""The evaluator on its own: CloudWatch's documented rules, one test per rule or table row."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pytest

from observability.simulator import metric_math
from observability.simulator.evaluator import (
    ALARM,
    INSUFFICIENT,
    OK,
    AlarmSet,
    CompositeAlarm,
    MetricAlarm,
    MetricStat,
    decide,
    documented_evaluation_range,
)
from observability.simulator.loader import (
    alarm_rule_text,
    composite_from_cfn,
    load_templates,
    metric_alarm_from_cfn,
    templates_from_assembly,
)
from observability.simulator.series import SOURCES, MetricKey, Sample, Scenario, Series, aggregate, source_of
from service.contract import METRICS_NAMESPACE

KEY = MetricKey.of("Test", "Errors", {"Fn": "f"})
RETAIN = "retain"

# "Configuring how CloudWatch alarms treat missing data", first table (Datapoints to Alarm = Evaluation
# Periods = 3; "CloudWatch retrieves the 5 most recent data points"; 0 non-breaching, X breaching, - missing):
# | Data points | # missing | MISSING           | IGNORE               | BREACHING | NOT BREACHING |
# | 0 - X - X   | 2         | OK                | OK                   | OK        | OK            |
# | 0 - - - -   | 4         | OK                | OK                   | OK        | OK            |
# | - - - - -   | 5         | Insufficient data | Retain current state | ALARM     | OK            |
# | 0 X X - X   | 1         | ALARM             | ALARM                | ALARM     | ALARM         |
# | - - - - X   | 4         | Insufficient data | Retain current state | ALARM     | OK            |
# | X - - - -   | 4         | ALARM             | Retain current state | ALARM     | OK            |
# The MISSING column when only breaching and missing datapoints are present: ALARM once the oldest breaching
# datapoint is at least Datapoints-to-Alarm periods old (the newest is 1 old) and every newer one is breaching
# or missing, so "- - - X -" (2 old) is Insufficient data and "- - X - X" (3 old) is ALARM.
# (AWS states this rule in https://repost.aws/knowledge-center/cloudwatch-alarm-single-data-point .)
TABLE_3_OF_3 = [
    ("0-X-X", OK, OK, OK, OK),
    ("0----", OK, OK, OK, OK),
    ("-----", INSUFFICIENT, RETAIN, ALARM, OK),
    ("0XX-X", ALARM, ALARM, ALARM, ALARM),
    ("----X", INSUFFICIENT, RETAIN, ALARM, OK),
    ("X----", ALARM, RETAIN, ALARM, OK),
    ("---X-", INSUFFICIENT, RETAIN, ALARM, OK),  # the two rows issue 15 names
    ("--X-X", ALARM, RETAIN, ALARM, OK),
    ("--X--", ALARM, RETAIN, ALARM, OK),  # the rule at its edge: exactly 3 periods old
]
# Second table: 2 out of 3.
# | 0 - X - X | 2 | ALARM             | ALARM                | ALARM | ALARM |
# | 0 0 X 0 X | 0 | ALARM             | ALARM                | ALARM | ALARM |
# | 0 - X - - | 3 | OK                | OK                   | ALARM | OK    |
# | - - - - 0 | 4 | OK                | OK                   | ALARM | OK    |
# | - - - - X | 4 | Insufficient data | Retain current state | ALARM | OK    |
TABLE_2_OF_3 = [
    ("0-X-X", ALARM, ALARM, ALARM, ALARM),
    ("00X0X", ALARM, ALARM, ALARM, ALARM),
    ("0-X--", OK, OK, ALARM, OK),
    ("----0", OK, OK, ALARM, OK),
    ("----X", INSUFFICIENT, RETAIN, ALARM, OK),
    ("---X-", ALARM, RETAIN, ALARM, OK),  # 2 periods old: old enough for 2 of 3
]
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")


def _points(row: str) -> list[bool | None]:
    return [{"0": False, "X": True, "-": None}[c] for c in row]


@pytest.mark.parametrize(
    ("m", "row", "treatment", "want"),
    [
        pytest.param(m, row, treatment, want, id=f"{m}of3-{row}-{treatment}")
        for m, table in ((3, TABLE_3_OF_3), (2, TABLE_2_OF_3))
        for row, *expected in table
        for treatment, want in zip(TREATMENTS, expected, strict=True)
    ],
)
@pytest.mark.parametrize("current", [OK, ALARM, INSUFFICIENT])
def test_documented_missing_data_tables(m: int, row: str, treatment: str, want: str, current: str) -> None:
    got = decide(_points(row), 3, m, treatment, current)  # type: ignore[arg-type]
    assert got == (current if want == RETAIN else want)


def test_dynamodb_alarms_keep_their_state_whatever_treat_missing_data_says() -> None:
    for current in (OK, ALARM):
        assert decide(_points("-----"), 3, 3, "breaching", current, dynamodb=True) == current
        assert decide(_points("-----"), 3, 3, "notBreaching", current, dynamodb=True) == current
    assert decide(_points("-----"), 3, 3, "breaching", OK) == ALARM  # the same range without the rule


def _alarm(
    treatment: str,
    *,
    namespace: str = "Test",
    n: int = 3,
    m: int = 3,
    period_s: int = 60,
    stat: str = "Sum",
    **fields: Any,
) -> MetricAlarm:
    """A one-metric alarm (threshold >= 5 on Test/Errors); ``fields`` replace any other MetricAlarm field."""
    key = MetricKey.of(namespace, "Errors", {"Fn": "f"})
    alarm = MetricAlarm(
        name="a",
        stats={"m": MetricStat(key, stat, period_s)},
        expressions={},
        result="m",
        period_s=period_s,
        threshold=5,
        comparison="GreaterThanOrEqualToThreshold",
        evaluation_periods=n,
        datapoints_to_alarm=m,
        treat_missing_data=treatment,
    )
    return dataclasses.replace(alarm, **fields)


def _stops_at_10(value: float, namespace: str = "Test") -> Scenario:
    return Scenario(end=30).add(namespace, "Errors", {"Fn": "f"}, Series.constant(range(10), value))


@pytest.mark.parametrize(
    ("treatment", "state_at_14", "state_at_15"),
    [("breaching", OK, ALARM), ("notBreaching", OK, OK), ("missing", OK, INSUFFICIENT), ("ignore", OK, OK)],
)
def test_each_treatment_when_a_healthy_metric_stops(treatment: str, state_at_14: str, state_at_15: str) -> None:
    # Data in minutes 0-9 (periods ending at 1..10). With a 5-datapoint range and 3 of 3, real datapoints
    # are used while there are 3 of them (to T=12), then filled; only at T=15 is every datapoint missing.
    tl = _alarm(treatment).evaluate(_stops_at_10(0))
    assert tl.states[12] == OK
    assert tl.states[14] == state_at_14
    assert tl.states[15] == state_at_15
    assert tl.states[30] == state_at_15


def test_breaching_series_pages_after_m_datapoints_and_recovers() -> None:
    scn = Scenario(end=20).add(
        "Test", "Errors", {"Fn": "f"}, Series.counter({t: 9 if 5 <= t < 10 else 1 for t in range(20)})
    )
    tl = _alarm("notBreaching", n=3, m=2).evaluate(scn)
    assert tl.first_alarm_minute() == 7  # minutes 5 and 6 breach: 2 of 3 at T=7
    assert tl.minutes_to_alarm(since=5) == 2
    assert tl.first(OK, after=7) == 12  # minutes 9 and 10 -> only one breaching in 9,10,11
    assert tl.transitions()[0] == (1, OK)


def test_dynamodb_metric_keeps_alarm_when_data_stops() -> None:
    scn = _stops_at_10(9, namespace="AWS/DynamoDB")
    tl = _alarm("notBreaching", namespace="AWS/DynamoDB").evaluate(scn)
    assert tl.states[3] == ALARM
    assert tl.states[30] == ALARM  # notBreaching would say OK; DynamoDB alarms retain
    assert _alarm("notBreaching").evaluate(_stops_at_10(9)).states[30] == OK


def test_a_period_without_samples_is_missing_not_zero() -> None:
    assert aggregate([], "Sum") is None
    series = Series.counter({2: 4})
    assert aggregate(series.window(0, 5), "Sum") == 4
    assert aggregate(series.window(5, 10), "Sum") is None
    low = _alarm("notBreaching", n=1, m=1, period_s=300, name="low", threshold=1, comparison="LessThanThreshold")
    assert low.stats == {"m": MetricStat(KEY, "Sum", 300)}
    scn = Scenario(end=60).add("Test", "Errors", {"Fn": "f"}, Series.counter({2: 4}))
    assert not low.evaluate(scn).ever(ALARM)  # no data is not "fewer than 1"
    filled = dataclasses.replace(low, expressions={"e": "FILL(m, 0)"}, result="e")
    states = filled.evaluate(scn).states
    assert states[1] == ALARM  # period [-4, 1) has no sample -> FILL gives 0 < 1
    assert [states[t] for t in (3, 7, 8)] == [OK, OK, ALARM]  # minute 2 is in the periods ending 3..7


def test_statistics_and_percentiles_over_a_period() -> None:
    series = Series.raw({0: [1, 2, 3], 1: [10], 3: list(range(1, 101))})
    window = series.window(0, 5)
    assert aggregate(window, "Sum") == 6 + 10 + 5050
    assert aggregate(window, "SampleCount") == 104
    assert aggregate(window, "Average") == pytest.approx(5066 / 104)
    assert aggregate(window, "Minimum") == 1
    assert aggregate(window, "Maximum") == 100
    assert aggregate(Series.raw({0: range(1, 101)}).window(0, 1), "p90") == 90
    assert aggregate(Series.raw({0: [5, 1, 9, 7]}).window(0, 1), "p50") == 5
    with pytest.raises(ValueError, match="raw values"):
        aggregate([Sample(3, 3, 1, 1)], "p99")


def test_period_slides_every_minute() -> None:
    # "CloudWatch re-evaluates every minute": a 1-hour period sees a burst at minute 30 at T=31, not at T=60.
    quiet = {t: 0.0 for t in range(240)}
    scn = Scenario(end=240).add("Test", "Errors", {"Fn": "f"}, Series.counter({**quiet, 30: 6}))
    tl = _alarm("notBreaching", n=1, m=1, period_s=3600).evaluate(scn)
    assert tl.first_alarm_minute() == 31
    assert tl.first(OK, after=31) == 91  # the burst leaves the 60-minute window


def test_last_real_datapoints_stand_while_the_metric_is_silent() -> None:
    # [missing] Note: alarms "may repeatedly re-evaluate the last set of data points for a period of time after
    # the metric has stopped flowing". With a 1-h period and a 3-datapoint range that lasts up to 3 hours.
    scn = Scenario(end=240).add("Test", "Errors", {"Fn": "f"}, Series.counter({30: 6}))
    tl = _alarm("notBreaching", n=1, m=1, period_s=3600).evaluate(scn)
    assert tl.first(OK, after=31) == 211
    assert tl.values[90] == 6
    assert 91 not in tl.values


# ---- metric math ("Using math expressions with CloudWatch metrics" / "Metric math syntax and functions") ----


def _math(expr: str, grid: list[int], strict: bool = False, **series: dict[int, float]) -> object:
    ctx = metric_math.Context(
        grid=grid,
        queries={k: (lambda v=v: dict(v)) for k, v in series.items()},
        metric_ids=list(series),
        periods=dict.fromkeys(series, 60),
        strict_arithmetic=strict,
    )
    return metric_math.evaluate(metric_math.parse(expr), ctx)


def test_arithmetic_treats_a_missing_value_as_zero_and_drops_division_by_zero() -> None:
    a, b = {0: 10.0, 1: 20.0, 2: 30.0}, {0: 2.0, 2: 0.0}
    assert _math("a + b", [0, 1, 2, 3], a=a, b=b) == {0: 12, 1: 20, 2: 30}  # no timestamp 3: neither has data
    assert _math("a / b", [0, 1, 2], a=a, b=b) == {0: 5}  # 20/missing(0) and 30/0 are dropped
    assert _math("b / a", [0, 1, 2], a=a, b=b) == {0: 0.2, 1: 0, 2: 0}
    assert _math("a + b", [0, 1, 2], strict=True, a=a, b=b) == {0: 12, 2: 30}  # the stricter reading
    assert _math("100 * a / 4 - -b", [0], a={0: 2.0}, b={0: 1.0}) == {0: 51}
    assert _math("(a + b) * 2 ^ 2", [0], a={0: 1.0}, b={0: 2.0}) == {0: 12}


def test_comparison_table_from_the_docs() -> None:
    m1, m2 = {0: 30.0, 1: 20.0, 2: 0.0, 3: 0.0}, {0: 20.0, 2: 20.0}
    grid = [0, 1, 2, 3]
    assert _math("(metric1 < metric2)", grid, metric1=m1, metric2=m2) == {0: 0, 1: 0, 2: 1, 3: 0}
    assert _math("(metric1 >= 30)", grid, metric1=m1) == {0: 1, 1: 0, 2: 0, 3: 0}
    assert _math("(metric1 > 15 AND metric2 > 15)", grid, metric1=m1, metric2=m2) == {0: 1, 1: 0, 2: 0, 3: 0}


def test_if_tables_from_the_docs() -> None:
    g = [0, 1, 2, 3, 4]
    m1 = {0: 1.0, 1: 1.0, 2: 0.0, 3: 0.0}
    m2 = {0: 30.0, 2: 0.0, 3: 0.0, 4: 30.0}
    m3 = {0: 0.0, 1: 0.0, 2: 20.0, 4: 20.0}
    assert _math("IF(metric1, metric2, metric3)", g, metric1=m1, metric2=m2, metric3=m3) == {0: 30, 1: 0, 2: 20}
    assert _math("IF(metric1, 5, metric3)", g, metric1=m1, metric3=m3) == {0: 5, 1: 5, 2: 20}
    # metric1 has no datapoint at 4: no result there, though the false value is a scalar
    assert _math("IF(metric1, metric2, 5)", g, metric1=m1, metric2=m2) == {0: 30, 1: 0, 2: 5, 3: 5}
    assert _math("IF(metric1, 5, 7)", g, metric1=m1) == {0: 5, 1: 5, 2: 7, 3: 7}
    assert _math("IF(metric1, 5)", g, metric1=m1) == {0: 5, 1: 5}
    assert _math("IF(metric1, metric2)", g, metric1=m1, metric2=m2) == {0: 30, 1: 0}
    # our burn-rate shape: below the request floor read 0; no requests and no faults: no datapoint
    got = _math("IF(requests >= 10, fault / 0.001, 0)", g, requests={0: 50.0, 1: 3.0}, fault={0: 0.01, 1: 1.0})
    assert got == {0: pytest.approx(10), 1: 0}  # no requests at 2-4: no condition, no datapoint
    filled = _math("IF(FILL(requests, 0) >= 10, fault / 0.001, 0)", g, requests={0: 50.0}, fault={0: 0.01})
    assert filled == {0: pytest.approx(10), 1: 0, 2: 0, 3: 0, 4: 0}


def test_fill_sum_max_min_of_sparse_series() -> None:
    g = [0, 1, 2, 3]
    a, b = {0: 1.0, 2: 5.0}, {2: 2.0}
    assert _math("FILL(a, 0)", g, a=a) == {0: 1, 1: 0, 2: 5, 3: 0}
    assert _math("FILL(a, b)", g, a={0: 1.0}, b=b) == {0: 1, 2: 2}
    assert _math("SUM([a, b])", g, a=a, b=b) == {0: 1, 2: 7}  # sums what is present, missing stays missing
    assert _math("SUM(FILL(METRICS(), 0))", g, a=a, b=b) == {0: 1, 1: 0, 2: 7, 3: 0}
    assert _math("MAX([a, b])", g, a=a, b=b) == {0: 1, 2: 5}
    assert _math("MIN([a, b])", g, a=a, b=b) == {0: 1, 2: 2}
    assert _math("AVG([a, b])", g, a=a, b=b) == {0: 0.5, 2: 3.5}  # "Missing values are treated as 0"
    assert _math("a - MAX(a)", g, a=a) == {0: -4, 2: 0}  # MAX of one series is a scalar
    assert math.isnan(_math("MAX(a)", g, a={}))  # type: ignore[arg-type]
    with pytest.raises(SyntaxError):
        _math("a +", g, a=a)


def test_math_alarm_sees_missing_period_when_expression_yields_nothing() -> None:
    alarm = _alarm(
        "breaching",
        n=1,
        m=1,
        name="rate",
        stats={
            "errors": MetricStat(MetricKey.of("T", "Errors"), "Sum", 60),
            "requests": MetricStat(MetricKey.of("T", "Requests"), "Sum", 60),
        },
        expressions={"rate": "100 * errors / requests"},
        result="rate",
        threshold=10,
        comparison="GreaterThanThreshold",
    )
    # errors only (requests never published): errors / 0 is dropped every minute -> missing -> breaching
    scn = Scenario(end=10).add("T", "Errors", None, Series.constant(range(10), 1))
    tl = alarm.evaluate(scn)
    assert tl.values == {}
    assert set(tl.states.values()) == {ALARM}  # every datapoint missing, treated as breaching
    healthy = Scenario(end=10).add("T", "Requests", None, Series.constant(range(10), 100))
    assert alarm.evaluate(healthy).states[10] == OK  # 0 errors (missing as 0) / 100 = 0


# ---- composite alarms ----


def test_composite_rules() -> None:
    s = {"a": ALARM, "b": OK, "c": INSUFFICIENT}
    cases = {
        'ALARM("a") AND ALARM("b")': False,
        "ALARM(a) OR ALARM(b)": True,
        "NOT ALARM(b)": True,
        "OK(b) AND INSUFFICIENT_DATA(c)": True,
        "ALARM(a) AND (OK(c) OR TRUE)": True,
        "ALARM(a) AND NOT (OK(b) OR FALSE)": False,
        "ALARM(c)": False,
    }
    for rule, want in cases.items():
        assert CompositeAlarm("x", rule).holds(s) is want, rule
    with pytest.raises(KeyError):
        CompositeAlarm("x", "ALARM(zzz)").holds(s)


def test_composite_follows_children_minute_by_minute() -> None:
    aset = AlarmSet()
    aset.add("s/A", _alarm("notBreaching", n=1, m=1))
    aset.add("s/B", _alarm("notBreaching", n=1, m=1, name="B", threshold=2))
    aset.add("s/Both", CompositeAlarm("Both", 'ALARM("A") AND ALARM("B")'))
    scn = Scenario(end=10).add("Test", "Errors", {"Fn": "f"}, Series.counter({2: 3, 5: 7}))
    out = aset.evaluate(scn)
    assert out["s/B"].first_alarm_minute() == 3
    assert out["s/A"].first_alarm_minute() == 6
    assert out["s/Both"].first_alarm_minute() == 6
    assert out["s/Both"].states[3] == OK


def test_alarm_rule_tokens_resolve_to_child_logical_ids() -> None:
    rule = {
        "Fn::Join": [
            "",
            [
                '(ALARM("',
                {"Fn::GetAtt": ["LongBurn1", "Arn"]},
                '") AND ALARM("',
                {"Fn::GetAtt": ["ShortBurn2", "Arn"]},
                '"))',
            ],
        ]
    }
    assert alarm_rule_text(rule) == '(ALARM("LongBurn1") AND ALARM("ShortBurn2"))'
    comp = composite_from_cfn("C", {"AlarmRule": rule})
    assert comp.children() == ["LongBurn1", "ShortBurn2"]
    with pytest.raises(ValueError, match="Name"):
        alarm_rule_text({"Fn::GetAtt": ["X", "Name"]})


# ---- loading synthesized templates ----

SINGLE = {
    "Type": "AWS::CloudWatch::Alarm",
    "Properties": {
        "Namespace": "AWS/Lambda",
        "MetricName": "Throttles",
        "Dimensions": [
            {"Name": "FunctionName", "Value": {"Fn::GetStackOutput": {"StackName": "svc", "OutputName": "FnName"}}}
        ],
        "Statistic": "Sum",
        "Period": 60,
        "Threshold": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "EvaluationPeriods": 3,
        "TreatMissingData": "notBreaching",
    },
}
MATH = {
    "Type": "AWS::CloudWatch::Alarm",
    "Properties": {
        "Metrics": [
            {
                "Id": "reads",
                "ReturnData": False,
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/DynamoDB",
                        "MetricName": "ReadThrottleEvents",
                        "Dimensions": [{"Name": "TableName", "Value": {"Ref": "Table"}}],
                    },
                    "Period": 300,
                    "Stat": "Sum",
                },
            },
            {
                "Id": "writes",
                "ReturnData": False,
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/DynamoDB",
                        "MetricName": "WriteThrottleEvents",
                        "Dimensions": [{"Name": "TableName", "Value": {"Ref": "Table"}}],
                    },
                    "Period": 300,
                    "Stat": "Sum",
                },
            },
            {"Id": "expr_1", "Expression": "SUM([reads, writes])"},
        ],
        "Threshold": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "EvaluationPeriods": 1,
        "TreatMissingData": "notBreaching",
    },
}


def test_loader_reads_both_forms_and_maps_token_dimensions_to_symbols() -> None:
    aset = load_templates(
        {"mon": {"Resources": {"Throttles": SINGLE, "DdbThrottles": MATH}}},
        symbols={"output:FnName": "FUNCTION", "ref:Table": "TABLE"},
    )
    single = aset.alarms["mon/Throttles"]
    assert isinstance(single, MetricAlarm)
    assert single.datapoints_to_alarm == 3  # defaults to EvaluationPeriods
    assert single.stats["m"].key == MetricKey.of("AWS/Lambda", "Throttles", {"FunctionName": "FUNCTION"})
    math_alarm = aset.alarms["mon/DdbThrottles"]
    assert isinstance(math_alarm, MetricAlarm)
    assert (math_alarm.result, math_alarm.period_s, math_alarm.on_dynamodb) == ("expr_1", 300, True)
    scn = (
        Scenario(end=20)
        .add("AWS/Lambda", "Throttles", {"FunctionName": "FUNCTION"}, Series.counter({4: 1, 5: 2, 6: 1}))
        .add("AWS/DynamoDB", "WriteThrottleEvents", {"TableName": "*"}, Series.counter({10: 3}))
    )
    out = aset.evaluate(scn)
    assert out["mon/Throttles"].first_alarm_minute() == 7
    assert out["mon/DdbThrottles"].first_alarm_minute() == 11  # reads missing: SUM of what is present
    assert out["mon/DdbThrottles"].states[20] == ALARM  # DynamoDB: stays ALARM once data stops
    other = Scenario(end=20).add("AWS/Lambda", "Throttles", {"FunctionName": "other"}, Series.counter({4: 9}))
    assert not aset.evaluate(other)["mon/Throttles"].ever(ALARM)  # another function's metric does not match


def test_single_metric_extended_statistic() -> None:
    props = {**SINGLE["Properties"], "ExtendedStatistic": "p90", "Threshold": 50}
    del props["Statistic"]  # type: ignore[misc]
    alarm = metric_alarm_from_cfn("Lat", props)
    assert alarm.stats["m"].statistic == "p90"
    assert alarm.stats["m"].key.dimensions == (("FunctionName", "output:FnName"),)


def test_assembly_with_stage_and_nested_stack(tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "assembly-Prod").mkdir()
    parent = {
        "Resources": {
            "Nested": {
                "Type": "AWS::CloudFormation::Stack",
                "Metadata": {"aws:asset:path": "ProdMonNested.nested.template.json"},
            },
            "Both": {
                "Type": "AWS::CloudWatch::CompositeAlarm",
                "Properties": {
                    "AlarmRule": {"Fn::Join": ["", ['ALARM("', {"Fn::GetAtt": ["Throttles", "Arn"]}, '")']]}
                },
            },
        }
    }
    (root / "manifest.json").write_text(
        json.dumps(
            {"artifacts": {"Prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Prod"}}}}
        )
    )
    (root / "assembly-Prod" / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "ProdMon": {
                        "type": "aws:cloudformation:stack",
                        "properties": {"templateFile": "ProdMon.template.json"},
                    }
                }
            }
        )
    )
    (root / "assembly-Prod" / "ProdMon.template.json").write_text(json.dumps(parent))
    (root / "assembly-Prod" / "ProdMonNested.nested.template.json").write_text(
        json.dumps({"Resources": {"Throttles": SINGLE}})
    )
    templates = templates_from_assembly(root)
    assert sorted(templates) == ["ProdMon", "ProdMon/Nested"]
    aset = load_templates(templates)
    assert sorted(aset.alarms) == ["ProdMon/Both", "ProdMon/Nested/Throttles"]
    scn = Scenario(end=10).add("AWS/Lambda", "Throttles", {"FunctionName": "*"}, Series.constant(range(3, 10), 1))
    out = aset.evaluate(scn)
    assert out["ProdMon/Both"].first_alarm_minute() == 6


# ---- percentile rank ----


def test_percentile_rank_excludes_the_lower_bound_and_includes_the_upper() -> None:
    # "CloudWatch statistics definitions": "PR(:300) returns the percentage of data points that have a value
    # of 300 or less ... Percentile rank is exclusive on the lower bound and inclusive on the upper bound."
    period = [Sample.of([100, 200, 300]), Sample.of([301, 500])]
    assert aggregate(period, "PR(:300)") == pytest.approx(60)
    assert aggregate(period, "PR(100:300)") == pytest.approx(40)  # 100 is out, 300 is in
    assert aggregate(period, "PR(300:)") == pytest.approx(40)
    assert aggregate(period, "pr(:1000)") == 100
    assert aggregate([], "PR(:300)") is None  # no sample: missing, not 0 %
    with pytest.raises(ValueError, match="raw values"):
        aggregate([Sample(10, 2, 1, 9)], "PR(:300)")
    with pytest.raises(ValueError, match="lower bound"):
        aggregate(period, "PR(300:100)")


def test_percentile_rank_alarm_from_both_template_forms() -> None:
    # A latency SLO as a share: slow share = 100 - PR(:target), honest at any request count.
    single = {**SINGLE["Properties"], "ExtendedStatistic": "PR(:250)", "Threshold": 90}
    del single["Statistic"]  # type: ignore[misc]
    single["ComparisonOperator"] = "LessThanThreshold"
    lat = {"Namespace": "Svc", "MetricName": "Latency", "Dimensions": [{"Name": "route", "Value": "r"}]}
    math_form = {
        "Metrics": [
            {"Id": "fast", "MetricStat": {"Metric": lat, "Stat": "PR(:250)", "Period": 300}, "ReturnData": False},
            {"Id": "slow", "Expression": "100 - fast"},
        ],
        "EvaluationPeriods": 1,
        "Threshold": 10,
        "ComparisonOperator": "GreaterThanThreshold",
    }
    by_cfn = metric_alarm_from_cfn("Share", single)
    assert by_cfn.stats["m"].statistic == "PR(:250)"
    slow = metric_alarm_from_cfn("Slow", math_form)
    assert slow.stats["fast"].statistic == "PR(:250)"
    # 6 requests a minute, one at 3x the target: 1 in 30 per 5 minutes is slow (3.3 %), no page
    quiet = {m: [50.0] * 5 + ([750.0] if m % 5 == 4 else [50.0]) for m in range(30)}
    scn = Scenario(end=30).add("Svc", "Latency", {"route": "r"}, Series.raw(quiet))
    tl = slow.evaluate(scn)
    assert tl.values[30] == pytest.approx(100 / 30)
    assert not tl.ever(ALARM)
    regressed = Scenario(end=30).add("Svc", "Latency", {"route": "r"}, Series.raw({m: [750.0] * 6 for m in range(30)}))
    assert slow.evaluate(regressed).first_alarm_minute() == 1


# ---- ingestion lag ----


def test_every_namespace_has_a_source() -> None:
    assert source_of("AWS/Lambda") == "lambda"
    assert source_of("AWS/DynamoDB") == "dynamodb"
    assert source_of("AWS/CloudFront") == "cloudfront"
    assert source_of("AWS/WAFV2") == "waf"
    assert source_of("CloudWatchSynthetics") == "synthetics"
    assert source_of(METRICS_NAMESPACE) == "emf"  # the service's own namespace, from its logs
    with pytest.raises(ValueError, match="no ingestion source for namespace 'AWS/NoSuchService'"):
        source_of("AWS/NoSuchService")  # never silently EMF
    assert source_of("AWS/DDoSProtection") == "shield"
    assert len(set(SOURCES)) == len(SOURCES)
    with pytest.raises(ValueError, match="unknown sources"):
        Scenario(end=1).lagged({"logs": 1})


def _two_clocks(datapoints_to_alarm: int) -> MetricAlarm:
    """The URL's 5xx (AWS/Lambda) minus the function's own faults (EMF): 5xx nobody answered."""
    return _alarm(
        "notBreaching",
        n=datapoints_to_alarm,
        m=datapoints_to_alarm,
        name="unanswered",
        stats={
            "url5xx": MetricStat(MetricKey.of("AWS/Lambda", "Url5xxCount"), "Sum", 60),
            "faults": MetricStat(MetricKey.of(METRICS_NAMESPACE, "Fault"), "Sum", 60),
        },
        expressions={"unanswered": "FILL(url5xx, 0) - FILL(faults, 0)"},
        result="unanswered",
        threshold=0,
        comparison="GreaterThanThreshold",
    )


def _answered_500s() -> Scenario:
    # From minute 10 the function answers 3 requests a minute with 500: both clocks count them.
    per_minute = dict.fromkeys(range(10, 30), 3.0)
    return (
        Scenario(end=30)
        .add("AWS/Lambda", "Url5xxCount", None, Series.counter(per_minute))
        .add(METRICS_NAMESPACE, "Fault", None, Series.counter(per_minute))
    )


def test_two_clocks_a_late_source_reads_as_zero_in_the_newest_minute_then_corrects_itself() -> None:
    alarm, scn = _two_clocks(1), _answered_500s()
    assert not alarm.evaluate(scn).ever(ALARM)  # on time: 3 - 3 = 0
    late = scn.lagged({"emf": 1})
    # At T=11 minute 10 of the URL's counter has landed, the function's faults have not: FILL gives 0.
    assert alarm.range_at(late, 11)[11] == 3
    assert alarm.range_at(late, 12)[11] == 0  # one evaluation later minute 10's faults are in
    assert alarm.range_at(late, 12)[12] == 3  # and the next minute is the spurious one
    tl = alarm.evaluate(late)
    assert tl.first_alarm_minute() == 11  # the page the issue describes
    assert tl.values[11] == 3
    # Needing 2 of 2 periods: the spurious minute never has a breaching neighbour.
    assert not _two_clocks(2).evaluate(late).ever(ALARM)


def test_a_late_minute_is_missing_first_and_data_later() -> None:
    alarm = _alarm("missing", n=1, m=1, namespace=METRICS_NAMESPACE)  # an "emf" source
    scn = Scenario(end=10).add(METRICS_NAMESPACE, "Errors", {"Fn": "f"}, Series.counter({4: 9})).lagged({"emf": 2})
    assert 5 not in alarm.range_at(scn, 5)
    assert 5 not in alarm.range_at(scn, 6)
    assert alarm.range_at(scn, 7)[5] == 9  # minute 4 landed at 4 + 2 < 7
    tl = alarm.evaluate(scn)
    assert tl.states[5] == INSUFFICIENT  # nothing had landed at all
    assert tl.first_alarm_minute() == 7  # the range [3..7] now holds it: the only real datapoint decides
    assert alarm.evaluate(Scenario(end=10, metrics=scn.metrics)).first_alarm_minute() == 5  # on time


def test_lag_matches_a_per_evaluation_recomputation() -> None:
    # evaluate's shortcut (recompute only the late periods) agrees with recomputing every range at every T.
    alarm, scn = _two_clocks(1), _answered_500s().lagged({"emf": 2, "lambda": 1})
    tl = alarm.evaluate(scn)
    for T in range(1, 31):
        assert tl.values.get(T) == alarm.range_at(scn, T).get(T), T


# ---- evaluation range ----


@pytest.mark.parametrize("extra", [0, 1, 2, 3])
def test_the_evaluation_range_decides_when_a_stopped_metric_counts_as_breaching(extra: int) -> None:
    # Breaching-on-missing, 3 of 3, data stops after minute 9 (last datapoint ends at 10): the range must
    # hold no real datapoint before the missing ones alone decide, i.e. at T = 10 + range.
    alarm = _alarm("breaching")
    by_extra = alarm.evaluate(_stops_at_10(0), extra_datapoints=extra)
    by_function = alarm.evaluate(_stops_at_10(0), evaluation_range=lambda n, period_s: n + extra)
    assert by_extra.first_alarm_minute() == 10 + 3 + extra
    assert by_function.states == by_extra.states


def test_the_default_evaluation_range_is_the_documented_one() -> None:
    assert documented_evaluation_range(3, 300) == 5  # "CloudWatch retrieves the 5 most recent data points"
    alarm = _alarm("breaching")
    default = alarm.evaluate(_stops_at_10(0))
    assert default.states == alarm.evaluate(_stops_at_10(0), evaluation_range=documented_evaluation_range).states
    with pytest.raises(ValueError, match="shorter than EvaluationPeriods"):
        alarm.evaluate(_stops_at_10(0), evaluation_range=lambda n, period_s: n - 1)
    aset = AlarmSet({"s/a": alarm})  # AlarmSet.evaluate passes the option to every alarm
    assert aset.evaluate(_stops_at_10(0), extra_datapoints=0)["s/a"].first_alarm_minute() == 13
