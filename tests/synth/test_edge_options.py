"""Issue 10's edge options: each one's resources with every option on (``edge-all``), and none of
them in the default configurations (except the cached summary route's behaviour and its metrics)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from dashboards.layout import layout
from observability import queries
from observability.model import EDGE_REGION
from observability.plan import plan
from observability.units import edge_cache
from service.catalogue import ROUTES, RouteSpec
from service.environment import ENV_API_KEYS, ENV_CORS_ALLOWED_ORIGINS
from stacks.edge.api_keys import OUTPUT_KVS_ARN
from stacks.edge.cache_paths import cache_behaviours
from stacks.edge.waf import ANTI_DDOS_RULE_GROUP, GEO_RULE, KEY_RATE_RULE, RATE_RULE
from stacks.monitoring.cloudwatch_dashboard import widget_query
from tests.support.cfn import LogWidget, dashboard_bodies, log_widgets, render
from tests.support.synth import Synth

SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"  # managed SecurityHeadersPolicy: no CORS
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
OPTION_TYPES = ("AWS::CloudFront::KeyValueStore", "AWS::CloudFront::Function", "AWS::Shield::Protection")


def _config(synth: Synth) -> dict[str, Any]:
    return synth.one(synth.stacks.edge, "AWS::CloudFront::Distribution")["DistributionConfig"]


def _rules(synth: Synth) -> dict[str, dict[str, Any]]:
    return {r["Name"]: r for r in synth.one(synth.stacks.edge, "AWS::WAFv2::WebACL")["Rules"]}


def _env(synth: Synth) -> dict[str, str]:
    return synth.one(synth.stacks.service, "AWS::Lambda::Function")["Environment"]["Variables"]


def _cache_policies(synth: Synth) -> dict[str, dict[str, Any]]:
    return {
        k: v["Properties"]["CachePolicyConfig"]
        for k, v in synth.resources(synth.stacks.edge, "AWS::CloudFront::CachePolicy").items()
    }


def test_defaults_add_no_edge_option(synth: Synth) -> None:
    edge = synth.template(synth.stacks.edge)
    assert not [r for r in edge["Resources"].values() if r["Type"] in OPTION_TYPES]
    assert {GEO_RULE, KEY_RATE_RULE}.isdisjoint(_rules(synth))
    assert OUTPUT_KVS_ARN not in edge.get("Outputs", {})
    config = _config(synth)
    assert "FunctionAssociations" not in config["DefaultCacheBehavior"]
    assert [b["PathPattern"] for b in config["CacheBehaviors"]] == ["/orders/summary"]  # the one exception
    assert {ENV_API_KEYS, ENV_CORS_ALLOWED_ORIGINS}.isdisjoint(_env(synth))
    alarms = synth.resources(synth.stacks.edge_monitoring, "AWS::CloudWatch::Alarm").values()
    assert not [a for a in alarms if a["Properties"].get("Namespace") == "AWS/DDoSProtection"]
    (policy,) = _cache_policies(synth).values()
    assert policy["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"] == {"HeaderBehavior": "none"}


def test_cached_route_behaviour_and_policy(synth: Synth) -> None:
    """One behaviour per cached route, in the proven order, with the default behaviour's origin and
    policies; the cache key holds only the declared parts (no Host, cookies, Authorization, x-api-key)."""
    config = _config(synth)
    default = config["DefaultCacheBehavior"]
    expected = cache_behaviours(ROUTES)
    assert [b["PathPattern"] for b in config["CacheBehaviors"]] == [b.path_pattern for b in expected]
    policies = _cache_policies(synth)
    for behaviour, declared in zip(config["CacheBehaviors"], expected, strict=True):
        assert behaviour["TargetOriginId"] == default["TargetOriginId"]  # same origin, so same OAC
        assert behaviour["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
        assert behaviour["ResponseHeadersPolicyId"] == SECURITY_HEADERS
        assert behaviour["Compress"] is True
        assert set(behaviour["AllowedMethods"]) >= {"GET", "HEAD", "OPTIONS", "POST", "DELETE"}
        policy = policies[behaviour["CachePolicyId"]["Ref"]]
        assert (policy["MinTTL"], policy["DefaultTTL"], policy["MaxTTL"]) == (
            0,
            declared.rule.ttl_s,
            declared.rule.ttl_s,
        )
        key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
        assert key["EnableAcceptEncodingGzip"] is True
        assert key["EnableAcceptEncodingBrotli"] is True
        assert key["CookiesConfig"] == {"CookieBehavior": "none"}
        headers = {h.lower() for h in key["HeadersConfig"].get("Headers", [])}
        assert headers <= {"origin"}  # never host (breaks the Function URL), authorization or x-api-key
        assert key["QueryStringsConfig"]["QueryStringBehavior"] == ("whitelist" if declared.rule.query_keys else "none")


def test_cache_hit_rate_comes_from_the_monitoring_subscription(synth: Synth) -> None:
    subscription = synth.one(synth.stacks.edge, "AWS::CloudFront::MonitoringSubscription")
    config = subscription["MonitoringSubscription"]["RealtimeMetricsSubscriptionConfig"]
    assert config == {"RealtimeMetricsSubscriptionStatus": "Enabled"}
    dashboard = str(synth.one(synth.stacks.monitoring, "AWS::CloudWatch::Dashboard")["DashboardBody"])
    assert "CacheHitRate" in dashboard
    assert "Edge cache" in dashboard


def test_no_cors_outside_the_function(synth: Synth, edge_all_synth: Synth) -> None:
    """CORS has one owner: neither the Function URL nor a CloudFront response headers policy adds it."""
    for s in (synth, edge_all_synth):
        url = s.one(s.stacks.service, "AWS::Lambda::Url")
        assert "Cors" not in url
        assert not s.resources(s.stacks.edge, "AWS::CloudFront::ResponseHeadersPolicy")
        config = _config(s)
        for behaviour in (config["DefaultCacheBehavior"], *config["CacheBehaviors"]):
            assert behaviour["ResponseHeadersPolicyId"] == SECURITY_HEADERS


def test_cors_origins_reach_the_function_and_the_cache_key(edge_all_synth: Synth) -> None:
    s = edge_all_synth
    assert _env(s)[ENV_CORS_ALLOWED_ORIGINS] == "https://app.example.com"
    for policy in _cache_policies(s).values():
        assert policy["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"] == {
            "HeaderBehavior": "whitelist",
            "Headers": ["Origin"],
        }


def test_geo_allow_is_a_waf_rule_with_its_own_metric_and_problem_body(edge_all_synth: Synth) -> None:
    s = edge_all_synth
    acl = s.one(s.stacks.edge, "AWS::WAFv2::WebACL")
    # Before anything counts the request; only the anti-DDoS rule group (Shield Advanced) sees it first.
    names = [r["Name"] for r in acl["Rules"]]
    assert names[:2] == [ANTI_DDOS_RULE_GROUP, GEO_RULE]
    rule = acl["Rules"][1]
    assert rule["Statement"] == {"NotStatement": {"Statement": {"GeoMatchStatement": {"CountryCodes": ["DE", "FR"]}}}}
    assert rule["Action"]["Block"]["CustomResponse"] == {"ResponseCode": 403, "CustomResponseBodyKey": "GeoBlocked"}
    assert rule["VisibilityConfig"]["MetricName"].endswith(GEO_RULE)
    assert '"status": 403' in acl["CustomResponseBodies"]["GeoBlocked"]["Content"]
    assert "GeoRestrictions" not in str(_config(s))  # not CloudFront's bare-403 restriction
    reason = s.template(s.stacks.edge)["Resources"]
    nag = next(r for r in reason.values() if r["Type"] == "AWS::CloudFront::Distribution")["Metadata"]["cdk_nag"]
    cfr1 = next(r["reason"] for r in nag["rules_to_suppress"] if r["id"] == "AwsSolutions-CFR1")
    assert GEO_RULE in cfr1
    assert "DE, FR" in cfr1


def test_api_keys_wire_the_edge_function_everywhere(edge_all_synth: Synth) -> None:
    s = edge_all_synth
    kvs_id = next(iter(s.resources(s.stacks.edge, "AWS::CloudFront::KeyValueStore")))
    function = s.one(s.stacks.edge, "AWS::CloudFront::Function")
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    assert function["FunctionConfig"]["KeyValueStoreAssociations"] == [
        {"KeyValueStoreARN": {"Fn::GetAtt": [kvs_id, "Arn"]}}
    ]
    assert "cf.kvs()" in function["FunctionCode"]  # the very file tests/cloudfront_functions runs
    config = _config(s)
    for behaviour in (config["DefaultCacheBehavior"], *config["CacheBehaviors"]):
        (assoc,) = behaviour["FunctionAssociations"]
        assert assoc["EventType"] == "viewer-request"
    outputs = s.template(s.stacks.edge)["Outputs"]
    assert outputs[OUTPUT_KVS_ARN]["Value"] == {"Fn::GetAtt": [kvs_id, "Arn"]}
    assert _env(s)[ENV_API_KEYS] == "true"  # the function trusts x-client-id only then

    rules = _rules(s)
    assert RATE_RULE in rules  # the per-IP rule stays
    per_key = rules[KEY_RATE_RULE]["Statement"]["RateBasedStatement"]
    assert per_key["AggregateKeyType"] == "CUSTOM_KEYS"
    assert per_key["Limit"] == s.config.api_key_rate_limit == 500
    assert per_key["CustomKeys"] == [
        {"Header": {"Name": "x-api-key", "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}
    ]
    assert rules[KEY_RATE_RULE]["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429


def test_shield_advanced_protects_the_distribution_and_alarms(edge_all_synth: Synth) -> None:
    s = edge_all_synth
    protection = s.one(s.stacks.edge, "AWS::Shield::Protection")
    dist_id = next(iter(s.resources(s.stacks.edge, "AWS::CloudFront::Distribution")))
    assert dist_id in str(protection["ResourceArn"])
    # Opt-in only (shield_automatic_response): new Shield Advanced customers cannot enable it unaided.
    assert "ApplicationLayerAutomaticResponseConfiguration" not in protection
    alarms = [
        a["Properties"]
        for a in s.resources(s.stacks.edge_monitoring, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Namespace") == "AWS/DDoSProtection"
    ]
    (alarm,) = alarms
    assert alarm["MetricName"] == "DDoSDetected"
    assert [d["Name"] for d in alarm["Dimensions"]] == ["ResourceArn"]
    assert "distribution/" in str(alarm["Dimensions"][0]["Value"])
    assert s.stacks.edge_monitoring.region == "us-east-1"


def _edge_log_widgets(body: dict[str, Any]) -> list[LogWidget]:
    return [w for w in log_widgets(body) if w.region == EDGE_REGION and "Cached routes at the edge" in w.title]


def test_edge_cache_log_widget_queries_the_cloudfront_access_logs_in_us_east_1(synth: Synth) -> None:
    """Per cached route, hits exist only in CloudFront's access logs: the dashboard (home region) runs
    the saved query there, on the log group the edge stack delivers to (one name, from the edge stack)."""
    (body,) = dashboard_bodies(synth.templates["home"])
    (widget,) = _edge_log_widgets(body)
    # The log group CloudFront delivers to, found through the delivery destination's ARN.
    destination = synth.one(synth.stacks.edge, "AWS::Logs::DeliveryDestination")
    (logical_id,) = [
        k for k in synth.resources(synth.stacks.edge, "AWS::Logs::LogGroup") if {"Ref": k} in _parts(destination)
    ]
    group = synth.template(synth.stacks.edge)["Resources"][logical_id]["Properties"]["LogGroupName"]
    assert widget.source == group == synth.stacks.edge.cloudfront_access_log_group_name
    expected = queries.get(edge_cache.BY_PATH_PATTERN_QUERY, "cloudfront_access_logs").text
    assert widget.query.strip() == widget_query(expected).strip()
    assert "`cache-behavior-path-pattern`" in widget.query
    assert "cache-behavior-path-pattern" in synth.one(synth.stacks.edge, "AWS::Logs::Delivery")["RecordFields"]


def _parts(destination: dict[str, Any]) -> list[Any]:
    arn = destination["DestinationResourceArn"]
    return arn["Fn::Join"][1] if isinstance(arn, dict) and "Fn::Join" in arn else [arn]


def _render(routes: tuple[RouteSpec, ...]) -> dict[str, Any]:
    """The dashboard renderer alone, on a bare home-region stack (no full synth)."""
    import aws_cdk as cdk
    from aws_cdk import aws_cloudwatch as cw

    from stacks.monitoring.cloudwatch_dashboard import dashboard

    p = plan(routes=routes)
    app = cdk.App()
    stack = cdk.Stack(app, "Board", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    alarms = {
        a.key: cw.Alarm.from_alarm_arn(stack, a.key, f"arn:aws:cloudwatch:eu-west-1:111111111111:alarm:{a.key}")
        for a in p.alarms
    }
    names = ("function_name", "table_name", "log_group_name", "distribution_id", "web_acl_metric_name")
    refs = {n: n for n in names} | {
        "cloudfront_access_log_group_name": "/aws/vendedlogs/cloudfront/edge-access",
        "home_region": "eu-west-1",
        "function_resource": "function_name:live",
    }
    dashboard(stack, "Dashboard", layout(p), cfg=p.cfg, refs=refs, alarms=alarms)
    template = app.synth().get_stack_by_name("Board").template
    (board,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Dashboard"]
    return json.loads(render(board["Properties"]["DashboardBody"], "eu-west-1"))


def test_the_edge_log_widget_exists_only_with_a_cached_route() -> None:
    (widget,) = _edge_log_widgets(_render(ROUTES))
    assert widget.source == "/aws/vendedlogs/cloudfront/edge-access"
    uncached = tuple(dataclasses.replace(r, cache=None) for r in ROUTES)
    body = _render(uncached)
    assert not _edge_log_widgets(body)
    assert all(w.region == "eu-west-1" for w in log_widgets(body))
    assert "/aws/vendedlogs/cloudfront/" not in json.dumps(body)
