"""Read alarms from synthesized CloudFormation (several stacks, nested stacks) into an AlarmSet.

Dimension values are often tokens (``{"Ref": ...}``, ``Fn::GetStackOutput``, ``Fn::ImportValue``). Each is
turned into a readable string by ``resolve`` (default: ``ref:Id``, ``getatt:Id.Attr``, ``output:Name``,
``import:Name``), then mapped through ``symbols`` (e.g. ``{"output:FunctionName": "FUNCTION"}``), so a
scenario can publish ``{"FunctionName": "FUNCTION"}``; or a scenario uses ``"*"`` to match any value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from observability.simulator.evaluator import AlarmSet, CompositeAlarm, MetricAlarm, MetricStat
from observability.simulator.series import MetricKey

Resolver = Callable[[Any], str]


def default_resolve(value: Any) -> str:
    """A stable, readable string for a literal or a CloudFormation token."""
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Ref":
            return f"ref:{arg}"
        if fn == "Fn::GetAtt":
            parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
            return f"getatt:{parts[0]}.{parts[1]}"
        if fn == "Fn::GetStackOutput":
            return f"output:{arg['OutputName']}"
        if fn == "Fn::ImportValue":
            return f"import:{default_resolve(arg)}"
        if fn == "Fn::Join":
            sep, parts = arg
            return sep.join(default_resolve(p) for p in parts)
    return json.dumps(value, sort_keys=True)


def _resolver(resolve: Resolver, symbols: Mapping[str, str] | None) -> Resolver:
    def inner(value: Any) -> str:
        text = resolve(value)
        return (symbols or {}).get(text, text)

    return inner


def _stat(ms: Mapping[str, Any], resolve: Resolver) -> MetricStat:
    metric = ms["Metric"]
    dims = {d["Name"]: resolve(d["Value"]) for d in metric.get("Dimensions", [])}
    return MetricStat(MetricKey.of(metric["Namespace"], metric["MetricName"], dims), ms["Stat"], int(ms["Period"]))


def metric_alarm_from_cfn(name: str, props: Mapping[str, Any], resolve: Resolver = default_resolve) -> MetricAlarm:
    """The Properties of an AWS::CloudWatch::Alarm (single-metric or Metrics-list form)."""
    if "ThresholdMetricId" in props:
        raise NotImplementedError(f"{name}: anomaly-detection alarms are not modelled")
    stats: dict[str, MetricStat] = {}
    expressions: dict[str, str] = {}
    if "Metrics" in props:
        results = []
        for q in props["Metrics"]:
            if "MetricStat" in q:
                stats[q["Id"]] = _stat(q["MetricStat"], resolve)
            else:
                expressions[q["Id"]] = q["Expression"]
            if q.get("ReturnData", True):
                results.append(q["Id"])
        if len(results) != 1:
            raise ValueError(f"{name}: an alarm returns exactly one query, found {results}")
        result = results[0]
        period = int(props["Metrics"][[q["Id"] for q in props["Metrics"]].index(result)].get("Period", 0)) or max(
            s.period_s for s in stats.values()
        )
    else:
        dims = {d["Name"]: resolve(d["Value"]) for d in props.get("Dimensions", [])}
        statistic = props.get("Statistic") or props["ExtendedStatistic"]
        period = int(props["Period"])
        stats["m"] = MetricStat(MetricKey.of(props["Namespace"], props["MetricName"], dims), statistic, period)
        result = "m"
    n = int(props["EvaluationPeriods"])
    return MetricAlarm(
        name=name,
        stats=stats,
        expressions=expressions,
        result=result,
        period_s=period,
        threshold=float(props["Threshold"]),
        comparison=props["ComparisonOperator"],
        evaluation_periods=n,
        datapoints_to_alarm=int(props.get("DatapointsToAlarm", n)),
        treat_missing_data=props.get("TreatMissingData", "missing"),
        alarm_name=resolve(props["AlarmName"]) if "AlarmName" in props else None,
    )


def alarm_rule_text(rule: Any) -> str:
    """The AlarmRule string with ``{"Fn::GetAtt": [Id, "Arn"]}`` replaced by the child's logical id."""
    if isinstance(rule, str):
        return rule
    if isinstance(rule, dict) and "Fn::Join" in rule:
        sep, parts = rule["Fn::Join"]
        return sep.join(alarm_rule_text(p) for p in parts)
    if isinstance(rule, dict) and "Fn::GetAtt" in rule:
        target, attr = rule["Fn::GetAtt"]
        if attr != "Arn":
            raise ValueError(f"AlarmRule refers to {attr} of {target}")
        return target
    if isinstance(rule, dict) and "Ref" in rule:
        return rule["Ref"]  # Ref of an alarm is its name
    raise ValueError(f"cannot read AlarmRule token {rule!r}")


def composite_from_cfn(name: str, props: Mapping[str, Any], resolve: Resolver = default_resolve) -> CompositeAlarm:
    return CompositeAlarm(
        name=name,
        rule=alarm_rule_text(props["AlarmRule"]),
        alarm_name=resolve(props["AlarmName"]) if "AlarmName" in props else None,
    )


def load_templates(
    templates: Mapping[str, Mapping[str, Any]],
    *,
    symbols: Mapping[str, str] | None = None,
    resolve: Resolver = default_resolve,
) -> AlarmSet:
    """Alarms of several templates, keyed ``<template name>/<logical id>``."""
    res = _resolver(resolve, symbols)
    out = AlarmSet()
    for stack, template in templates.items():
        for lid, resource in template.get("Resources", {}).items():
            kind, props = resource.get("Type"), resource.get("Properties", {})
            if kind == "AWS::CloudWatch::Alarm":
                out.add(f"{stack}/{lid}", metric_alarm_from_cfn(lid, props, res))
            elif kind == "AWS::CloudWatch::CompositeAlarm":
                out.add(f"{stack}/{lid}", composite_from_cfn(lid, props, res))
    return out


def templates_from_assembly(cdk_out: Path) -> dict[str, dict[str, Any]]:
    """Every stack template of a cloud assembly (stages included) and, recursively, its nested stacks
    (``AWS::CloudFormation::Stack`` resources whose ``aws:asset:path`` metadata names the template file)."""
    out: dict[str, dict[str, Any]] = {}
    manifest = json.loads((cdk_out / "manifest.json").read_text())
    for art_id, art in manifest.get("artifacts", {}).items():
        if art.get("type") == "aws:cloudformation:stack":
            _add_with_nested(out, art_id, cdk_out, art["properties"]["templateFile"])
        elif art.get("type") == "cdk:cloud-assembly":
            out.update(templates_from_assembly(cdk_out / art["properties"]["directoryName"]))
    return out


def _add_with_nested(out: dict[str, dict[str, Any]], name: str, folder: Path, file: str) -> None:
    template = json.loads((folder / file).read_text())
    out[name] = template
    for lid, res in template.get("Resources", {}).items():
        path = res.get("Metadata", {}).get("aws:asset:path")
        if res.get("Type") == "AWS::CloudFormation::Stack" and path:
            _add_with_nested(out, f"{name}/{lid}", folder, path)
