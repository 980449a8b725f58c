"""The synthesized monitoring: every route covered, metrics in the right region and shape, and the
templates within CloudFormation's limits at 30 routes. (cdk-nag runs inside every synth: an
unacknowledged finding on the monitoring stacks fails the fixture.)"""

from __future__ import annotations

import json
import re

import pytest

from observability import queries, sections
from observability.alarm_docs import MAX_DESCRIPTION
from observability.monitoring_config import MonitoringConfig
from observability.plan import plan
from service.contract import (
    DIM_ROUTE,
    DIM_SERVICE,
    METRIC_CLIENT_ERROR,
    METRIC_FAULT,
    METRIC_LATENCY,
    METRIC_REQUESTS,
    METRICS_NAMESPACE,
)
from tests.support.cfn import (
    StackTemplate,
    alarm_metrics,
    dashboard_bodies,
    dashboard_expressions,
    dashboard_metrics,
)
from tests.support.deployed import all_templates, home_templates
from tests.support.synth import EDGE_REGION, Synth, cfn_lint

CFG = MonitoringConfig()
EDGE_NAMESPACES = {"AWS/CloudFront", "AWS/WAFV2", "CloudWatchSynthetics"}  # the canary runs in us-east-1


def alarms_by_name(s: Synth) -> dict[str, tuple[StackTemplate, dict]]:
    out = {}
    for t in all_templates(s):
        for type_, key in (("AWS::CloudWatch::Alarm", "AlarmName"), ("AWS::CloudWatch::CompositeAlarm", "AlarmName")):
            for res in t.resources(type_).values():
                out[res["Properties"][key]] = (t, res)
    return out


def the_dashboard(s: Synth) -> dict:
    (body,) = dashboard_bodies(s.templates["home"])
    return body


def test_every_route_has_its_dashboard_row(any_synth: Synth) -> None:
    body = the_dashboard(any_synth)
    texts = [w["properties"]["markdown"] for w in body["widgets"] if w["type"] == "text"]
    metrics = dashboard_metrics(body)
    widgets = {w["properties"].get("title", ""): w for w in body["widgets"]}
    for r in any_synth.routes:
        assert any(sections.route_row(r.label) in t for t in texts), f"no row title for {r.label}"
        on_route = {
            m.name
            for m in metrics
            if m.dim_map == {DIM_SERVICE: CFG.service_name, DIM_ROUTE: r.label} and m.widget.startswith(r.label)
        }
        assert {METRIC_REQUESTS, METRIC_FAULT, METRIC_CLIENT_ERROR, METRIC_LATENCY} <= on_route, r.label
        latency = widgets[f"{r.label} · latency, ms (5 min)"]["properties"]
        assert {"value": r.slo.latency_ms, "label": f"SLO {r.slo.percentile_stat} {r.slo.latency_ms} ms"}.items() <= (
            latency["annotations"]["horizontal"][0].items()
        )
        stats = {row[-1].get("stat") for row in latency["metrics"]}
        assert {"p50", "p90", "p99", r.slo.percentile_stat} <= stats
        # 2 latency + 2 availability burn composites (tickets), and the 1-h windows that read
        # INSUFFICIENT_DATA when the route is silent
        title = f"{r.label} · tickets; 1-h windows (grey: no request in the hour)"
        assert len(widgets[title]["properties"]["alarms"]) == 6


def test_every_route_has_its_alarms(any_synth: Synth) -> None:
    alarms = alarms_by_name(any_synth)
    for r in any_synth.routes:
        _, latency = alarms[CFG.alarm_name(f"route-{r.name}-slow-share-5min")]
        p = latency["Properties"]
        # the slow share (100 - PR(:target)) over the latency budget, behind the request and slow-count floors
        budget = 100 - r.slo.latency_percentile
        (expr,) = [m["Expression"] for m in p["Metrics"] if "Expression" in m]
        assert expr == (
            f"IF(requests >= {CFG.burn_min_requests} AND (100 - fast) * requests / 100 >= "
            f"{CFG.latency_min_slow - 0.5:g}, (100 - fast) / {budget:g}, 0)"
        )
        stats = {m["Id"]: m["MetricStat"] for m in p["Metrics"] if "MetricStat" in m}
        assert {k: (v["Stat"], v["Period"]) for k, v in stats.items()} == {
            "fast": (f"PR(:{r.slo.latency_ms})", 300),
            "requests": ("SampleCount", 300),
        }
        for stat in stats.values():
            dims = {d["Name"]: d["Value"] for d in stat["Metric"]["Dimensions"]}
            assert dims == {DIM_SERVICE: CFG.service_name, DIM_ROUTE: r.label}
        assert p["Threshold"] <= 100 / budget  # a 100 % slow share reaches it (route.latency_factor)
        for window in CFG.burn_windows:
            _, comp = alarms[CFG.alarm_name(f"route-{r.name}-{window.name}-burn")]
            rule = json.dumps(comp["Properties"]["AlarmRule"])
            assert rule.count("ALARM(") == 2, rule
            assert " AND " in rule, rule
            assert comp["Properties"]["AlarmActions"], "the composite is what pages"
            for seconds in (window.long_s, window.short_s):
                suffix = f"{seconds // 3600}h" if seconds % 3600 == 0 else f"{seconds // 60}min"
                _, child = alarms[CFG.alarm_name(f"route-{r.name}-fault-rate-{suffix}")]
                cp = child["Properties"]
                assert "AlarmActions" not in cp, "window alarms only feed the composite"
                assert cp["Threshold"] == window.factor
                (expr,) = [m for m in cp["Metrics"] if "Expression" in m]
                assert expr["Expression"] == (
                    f"IF(requests >= {CFG.burn_min_requests} AND fault * requests >= {CFG.burn_min_faults}, "
                    f"fault / {r.slo.error_budget:g}, 0)"
                )
                stats = {
                    m["Id"]: (
                        m["MetricStat"]["Stat"],
                        m["MetricStat"]["Period"],
                        m["MetricStat"]["Metric"]["MetricName"],
                    )
                    for m in cp["Metrics"]
                    if "MetricStat" in m
                }
                assert stats == {
                    "fault": ("Average", seconds, METRIC_FAULT),
                    "requests": ("Sum", seconds, METRIC_REQUESTS),
                }


def test_every_route_has_its_saved_queries(any_synth: Synth) -> None:
    defs = {
        res["Properties"]["Name"]: res["Properties"]
        for t in home_templates(any_synth)
        for res in t.resources("AWS::Logs::QueryDefinition").values()
    }
    for r in any_synth.routes:
        for kind in ("errors", "slowest"):
            q = defs[f"{CFG.query_folder}/route-{r.name}-{kind}"]
            assert f'route = "{r.label}"' in q["QueryString"]
    for q in queries.service_queries():
        assert defs[q.name(CFG.query_folder)]["QueryString"] == q.text


def test_waf_query_runs_on_the_waf_log_group_in_us_east_1(default_synth: Synth) -> None:
    edge = default_synth.templates["edge"]
    assert edge.region == EDGE_REGION
    defs = {q["Properties"]["Name"]: q["Properties"] for q in edge.resources("AWS::Logs::QueryDefinition").values()}
    # Every query the units place in us-east-1: the WAF query, and the CloudFront access-log queries
    # (tests/synth/test_edge_stack.py checks those).
    planned = plan(default_synth.config.monitoring, default_synth.routes, default_synth.config.reserved_concurrency)
    assert sorted(defs) == sorted(q.name(CFG.query_folder) for q in planned.queries if q.region == "edge")
    q = defs[f"{CFG.query_folder}/blocked-by-rule-and-ip"]
    assert "WafLogs" in json.dumps(q["LogGroupNames"])


def test_cloudfront_metrics_use_region_global_from_us_east_1(any_synth: Synth) -> None:
    cf = [m for m in dashboard_metrics(the_dashboard(any_synth)) if m.namespace == "AWS/CloudFront"]
    assert {m.name for m in cf} >= {"Requests", "5xxErrorRate", "4xxErrorRate"}
    for m in cf:
        assert m.dim_map.get("Region") == "Global", m
        assert "DistributionId" in m.dim_map, m
        assert m.region == EDGE_REGION, m
    cf_alarms = [a for t in all_templates(any_synth) for a in alarm_metrics(t) if a.namespace == "AWS/CloudFront"]
    assert cf_alarms
    for a in cf_alarms:
        assert a.dim_map.get("Region") == "Global"
        assert "DistributionId" in a.dim_map


def test_waf_metrics_have_no_region_dimension(any_synth: Synth) -> None:
    body = the_dashboard(any_synth)
    waf = [m for m in dashboard_metrics(body) if m.namespace == "AWS/WAFV2"]
    assert waf
    for m in waf:
        assert m.dim_names == {"WebACL", "Rule"}, m
        assert m.region == EDGE_REGION, m
    searches = [e for _, e in dashboard_expressions(body) if "AWS/WAFV2" in e]
    assert searches
    for e in searches:
        assert "{AWS/WAFV2,Rule,WebACL}" in e
        assert "Region" not in e
    for t in all_templates(any_synth):
        for a in alarm_metrics(t):
            if a.namespace == "AWS/WAFV2":
                assert a.dim_names == {"WebACL", "Rule"}


def test_no_search_expression_over_the_service_namespace(any_synth: Synth) -> None:
    # The contract test below checks explicit metrics only; a SEARCH over OrdersApi would escape it.
    # (a SEARCH names its namespace as the schema's first element, `{OrdersApi,...}`, or `Namespace=`)
    for _, expr in dashboard_expressions(the_dashboard(any_synth)):
        assert f"{{{METRICS_NAMESPACE}," not in expr
        assert f'Namespace="{METRICS_NAMESPACE}"' not in expr


def test_every_alarm_lives_in_its_metrics_region(any_synth: Synth) -> None:
    seen = set()
    for key, expected_edge in (("home", False), ("edge", True)):
        for t in any_synth.templates[key].all_templates():
            for a in alarm_metrics(t):
                is_edge = a.namespace in EDGE_NAMESPACES
                assert is_edge == expected_edge, f"{a.alarm} ({a.namespace}) is in the {t.region} stack"
                seen.add(a.namespace)
            if expected_edge:
                assert t.region == EDGE_REGION
    assert seen >= {"AWS/Lambda", "AWS/DynamoDB", METRICS_NAMESPACE, "AWS/CloudFront", "AWS/WAFV2"}


def test_every_alarm_chooses_missing_data_and_notifies_its_own_regions_topic(any_synth: Synth) -> None:
    for t in all_templates(any_synth):
        for lid, res in t.resources("AWS::CloudWatch::Alarm").items():
            p = res["Properties"]
            assert p.get("TreatMissingData") in {"notBreaching", "breaching", "ignore", "missing"}, lid
        for type_ in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
            for lid, res in t.resources(type_).items():
                p = res["Properties"]
                desc = p["AlarmDescription"]
                assert len(desc) <= MAX_DESCRIPTION, lid
                for part in ("First checks", "RUNBOOK.md#", CFG.dashboard_name, f"{CFG.query_folder}/"):
                    assert part in desc, (lid, part)
                for action in p.get("AlarmActions", []):
                    # The topic is a Ref in the stack, or a parameter handed to a nested stack: never another region.
                    assert "Ref" in action, (lid, action)


def test_concurrency_alarm_against_reserved_value(default_synth: Synth, scale_synth: Synth) -> None:
    alarms = alarms_by_name(default_synth)
    _, util = alarms[CFG.alarm_name("lambda-concurrency-utilisation")]
    p = util["Properties"]
    (expr,) = [m for m in p["Metrics"] if "Expression" in m]
    assert expr["Expression"] == "100 * concurrency / 20"
    (stat,) = [m["MetricStat"] for m in p["Metrics"] if "MetricStat" in m]
    assert (stat["Metric"]["MetricName"], stat["Stat"]) == ("ConcurrentExecutions", "Maximum")
    assert (p["Threshold"], p["ComparisonOperator"]) == (80, "GreaterThanOrEqualToThreshold")
    _, thr = alarms[CFG.alarm_name("lambda-throttles")]
    assert (thr["Properties"]["MetricName"], thr["Properties"]["Statistic"], thr["Properties"]["Threshold"]) == (
        "Throttles",
        "Sum",
        0,
    )
    conc = next(w for w in the_dashboard(default_synth)["widgets"] if "Concurrent executions" in str(w))
    lines = {a["value"] for a in conc["properties"]["annotations"]["horizontal"]}
    assert lines == {20, 16}  # reserved, and the alarm threshold (80 %)
    # Not reserved: no utilisation alarm (nothing to divide by), the throttles alarm stays.
    scale = alarms_by_name(scale_synth)
    assert CFG.alarm_name("lambda-concurrency-utilisation") not in scale
    assert CFG.alarm_name("lambda-throttles") in scale


# CloudFormation quotas: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
MAX_RESOURCES = 500
MAX_TEMPLATE_BYTES = 1_000_000  # template uploaded through S3 (CDK assets): 1 MB
MAX_OUTPUTS = 200
MAX_PARAMETERS = 200
MAX_WIDGETS = 500  # CloudWatch dashboard body
MAX_METRICS_PER_WIDGET = 500
MAX_COMPOSITE_RULE = 10240


def test_thirty_routes_stay_within_cloudformation_limits(scale_synth: Synth) -> None:
    assert len(scale_synth.routes) == 30
    report = []
    for t in all_templates(scale_synth):
        size = len(json.dumps(t.template, separators=(",", ":")))
        n = len(t.template["Resources"])
        report.append((t.name, n, size))
        assert n <= MAX_RESOURCES, (t.name, n)
        assert size <= MAX_TEMPLATE_BYTES, (t.name, size)
        assert len(t.template.get("Outputs", {})) <= MAX_OUTPUTS
        assert len(t.template.get("Parameters", {})) <= MAX_PARAMETERS
        for res in t.resources("AWS::CloudWatch::CompositeAlarm").values():
            assert len(json.dumps(res["Properties"]["AlarmRule"])) <= MAX_COMPOSITE_RULE
    body = the_dashboard(scale_synth)
    assert len(body["widgets"]) <= MAX_WIDGETS
    assert all(len(w["properties"].get("metrics", [])) <= MAX_METRICS_PER_WIDGET for w in body["widgets"])
    # The parent stays small whatever the catalogue: route alarms live in nested stacks.
    assert len(scale_synth.templates["home"].nested) >= 2
    print("\n" + "\n".join(f"{name}: {n} resources, {size / 1000:.0f} kB" for name, n, size in report))


def test_routes_keep_their_nested_stack_when_the_catalogue_grows(default_synth: Synth, scale_synth: Synth) -> None:
    # Same route, same bucket, in both catalogues: explicitly named alarms never move between stacks.
    def owner(s: Synth) -> dict[str, str]:
        out = {}
        for nested in s.templates["home"].nested:
            for res in nested.resources("AWS::CloudWatch::Alarm").values():
                m = re.fullmatch(rf"{CFG.service_name}-route-(.+)-slow-share-5min", res["Properties"]["AlarmName"])
                if m:
                    out[m.group(1)] = nested.name
        return out

    small, big = owner(default_synth), owner(scale_synth)
    assert set(small) == {r.name for r in default_synth.routes}
    for name, stack in small.items():
        assert big[name].rsplit("/", 1)[-1] == stack.rsplit("/", 1)[-1]


@pytest.mark.parametrize("key", ["home", "edge"])
def test_alarm_topics_enforce_tls(default_synth: Synth, key: str) -> None:
    t = default_synth.templates[key]
    names = sorted(topic["Properties"]["TopicName"] for topic in t.resources("AWS::SNS::Topic").values())
    region = "" if key == "home" else "edge-"
    assert names == [f"{CFG.service_name}-{region}alarms", f"{CFG.service_name}-{region}tickets"]
    (sub,) = t.resources("AWS::SNS::Subscription").values()  # alarm_email only: on-call's page topic
    assert sub["Properties"]["Protocol"] == "email"
    policies = t.resources("AWS::SNS::TopicPolicy").values()
    assert len(policies) == 2
    assert all("aws:SecureTransport" in json.dumps(p) for p in policies)


def test_cfn_lint_finds_no_errors(any_synth: Synth) -> None:
    problems = [
        f"{t.name}: {match}"
        for t in all_templates(any_synth)
        for match in cfn_lint(t.path, t.region)
        if match.rule.id.startswith("E")
    ]
    assert problems == []


def test_failure_mode_alarms_read_the_function_url_and_the_account(default_synth: Synth, synth_eu: Synth) -> None:
    alarms = alarms_by_name(default_synth)
    # What the URL answered without the function, on AWS/Lambda's clock alone (no EMF: a late EMF would read
    # the service's own answers as the URL's): requests never invoked, and invocations that failed.
    for key, counter in (("function-url-refused", "Invocations"), ("function-url-5xx-unanswered", "Errors")):
        t, res = alarms[CFG.alarm_name(key)]
        assert t.region != EDGE_REGION  # the URL's metrics are home-region metrics
        metrics = {
            m["MetricStat"]["Metric"]["MetricName"]: m["MetricStat"]
            for m in res["Properties"]["Metrics"]
            if "MetricStat" in m
        }
        assert set(metrics) == {"UrlRequestCount", counter}
        assert {m["Metric"]["Namespace"] for m in metrics.values()} == {"AWS/Lambda"}
        for name in ("UrlRequestCount", counter):
            assert [d["Name"] for d in metrics[name]["Metric"]["Dimensions"]] == ["FunctionName"]
        assert res["Properties"]["TreatMissingData"] == "notBreaching"
    t, res = alarms[CFG.alarm_name("cloudfront-4xx-rate")]
    assert t.region == EDGE_REGION
    # Concurrency reserved: no account alarm; not reserved: the account alarm, without dimensions.
    assert CFG.alarm_name("lambda-account-concurrency") not in alarms
    eu = alarms_by_name(synth_eu)
    _, account = eu[f"{synth_eu.config.service_name}-lambda-account-concurrency"]
    (stat,) = [m["MetricStat"] for m in account["Properties"]["Metrics"] if "MetricStat" in m]
    assert (stat["Metric"]["MetricName"], stat["Stat"]) == ("ClaimedAccountConcurrency", "Maximum")
    assert "Dimensions" not in stat["Metric"] or stat["Metric"]["Dimensions"] == []


def test_the_dashboard_opens_with_what_notifies_now(default_synth: Synth) -> None:
    """First: the incident section, alarm-status widgets of every home-region alarm that notifies (those with
    alarm actions), showing only those in ALARM, latest change first; window alarms are not among them."""
    first, *rest = the_dashboard(default_synth)["widgets"]
    assert first["type"] == "text"
    assert sections.INCIDENT in first["properties"]["markdown"]
    status = [w for w in rest[:3] if w["type"] == "alarm"]
    assert status
    for w in status:
        assert w["properties"]["states"] == ["ALARM"]
        assert w["properties"]["sortBy"] == "stateUpdatedTimestamp"
    shown = [arn for w in status for arn in w["properties"]["alarms"]]
    notifying = [
        res
        for t in home_templates(default_synth)
        for type_ in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
        for res in t.resources(type_).values()
        if res["Properties"].get("AlarmActions")
    ]
    assert len(shown) == len(notifying) > 0
