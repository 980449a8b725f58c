"""us-east-1 edge stack: WAF (scope CLOUDFRONT) with logging, CloudFront with OAC to the Function URL."""

from __future__ import annotations

import json

from observability import cloudfront_logs, queries
from service.header_names import SECRET_HEADERS
from service.limits import MAX_BODY_BYTES
from stacks.edge.waf import BODY_RULE, MANAGED_RULE_GROUPS, RATE_RULE
from stacks.service_stack import OUTPUT_URL_DOMAIN
from tests.support.cfn import alarm_metrics, dashboard_bodies, dashboard_expressions, dashboard_metrics
from tests.support.synth import Synth

# AWS managed policy ids (fixed across accounts).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"


def _behavior(synth: Synth) -> dict:
    return synth.one(synth.stacks.edge, "AWS::CloudFront::Distribution")["DistributionConfig"]


def test_edge_lives_in_us_east_1(synth: Synth) -> None:
    assert synth.stacks.edge.region == "us-east-1"
    assert synth.manifest["artifacts"][synth.stacks.edge.artifact_id]["environment"].endswith("/us-east-1")


def test_web_acl_scope_and_rules(synth: Synth) -> None:
    acl = synth.one(synth.stacks.edge, "AWS::WAFv2::WebACL")
    assert acl["Scope"] == "CLOUDFRONT"
    assert acl["DefaultAction"] == {"Allow": {}}
    rules = {r["Name"]: r for r in acl["Rules"]}
    assert sorted(r["Priority"] for r in acl["Rules"]) == list(range(len(acl["Rules"])))
    assert list(rules)[:2] == [RATE_RULE, BODY_RULE]  # cheap own rules first

    rate = rules[RATE_RULE]["Statement"]["RateBasedStatement"]
    assert rate == {"Limit": synth.config.waf_rate_limit, "AggregateKeyType": "IP", "EvaluationWindowSec": 300}
    assert rules[RATE_RULE]["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429

    body = rules[BODY_RULE]["Statement"]["SizeConstraintStatement"]
    assert body["ComparisonOperator"] == "GT"
    assert body["Size"] == MAX_BODY_BYTES == 8192  # == Common rule set's SizeRestrictions_BODY
    assert body["FieldToMatch"] == {"Body": {"OversizeHandling": "MATCH"}}
    assert rules[BODY_RULE]["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 413

    managed = {
        name: r["Statement"]["ManagedRuleGroupStatement"]
        for name, r in rules.items()
        if "ManagedRuleGroupStatement" in r["Statement"]
    }
    assert (
        set(managed)
        == {
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesAmazonIpReputationList",
            "AWSManagedRulesAnonymousIpList",
        }
        == {name for name, _ in MANAGED_RULE_GROUPS}
    )
    for name, statement in managed.items():
        assert statement["VendorName"] == "AWS"
        assert rules[name]["OverrideAction"] == {"None": {}}  # the groups block; nothing turned into count wholesale
    for rule in acl["Rules"]:
        assert rule["VisibilityConfig"]["CloudWatchMetricsEnabled"] is True
    assert set(acl["CustomResponseBodies"]) == {"TooManyRequests", "PayloadTooLarge"}


def test_waf_logging_redacts_secrets(synth: Synth) -> None:
    edge = synth.stacks.edge
    ((log_id, log_group),) = [
        (k, v)
        for k, v in synth.resources(edge, "AWS::Logs::LogGroup").items()
        if v["Properties"]["LogGroupName"].startswith("aws-waf-logs-")
    ]
    assert log_group["Properties"]["RetentionInDays"] == synth.config.log_retention_days
    logging = synth.one(edge, "AWS::WAFv2::LoggingConfiguration")
    acl_id = next(iter(synth.resources(edge, "AWS::WAFv2::WebACL")))
    assert logging["ResourceArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    (destination,) = logging["LogDestinationConfigs"]
    assert destination == {
        "Fn::Join": ["", ["arn:aws:logs:us-east-1:111111111111:log-group:", {"Ref": log_id}]]
    }  # plain log group ARN, no ':*' suffix
    redacted = {f["SingleHeader"]["Name"] for f in logging["RedactedFields"]}
    assert redacted == set(SECRET_HEADERS)


def test_secret_headers_are_redacted_wherever_waf_shows_a_request(synth: Synth) -> None:
    # Web ACL data protection also covers sampled requests (console, GetSampledRequests), where the
    # per-key rate rule would otherwise show raw x-api-key values.
    acl = synth.one(synth.stacks.edge, "AWS::WAFv2::WebACL")
    (protection,) = acl["DataProtectionConfig"]["DataProtections"]
    assert protection["Action"] == "SUBSTITUTION"
    assert protection["Field"] == {"FieldType": "SINGLE_HEADER", "FieldKeys": list(SECRET_HEADERS)}
    assert not protection.get("ExcludeRateBasedDetails")
    assert not protection.get("ExcludeRuleMatchDetails")
    assert "x-api-key" in SECRET_HEADERS


def test_distribution_behaviour(synth: Synth) -> None:
    config = _behavior(synth)
    behavior = config["DefaultCacheBehavior"]
    assert behavior["CachePolicyId"] == CACHING_DISABLED
    assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert behavior["ResponseHeadersPolicyId"] == SECURITY_HEADERS
    assert set(behavior["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    assert behavior["ViewerProtocolPolicy"] == synth.config.viewer_protocol == "https-only"
    assert config["HttpVersion"] == "http2and3"
    assert config["PriceClass"] == synth.config.price_class
    acl_id = next(iter(synth.resources(synth.stacks.edge, "AWS::WAFv2::WebACL")))
    assert config["WebACLId"] == {"Fn::GetAtt": [acl_id, "Arn"]}


def test_origin_is_the_function_url_signed_with_oac(synth: Synth) -> None:
    edge = synth.stacks.edge
    ((oac_id, oac),) = synth.resources(edge, "AWS::CloudFront::OriginAccessControl").items()
    assert oac["Properties"]["OriginAccessControlConfig"] | {"Name": None} == {
        "Name": None,
        "OriginAccessControlOriginType": "lambda",
        "SigningBehavior": "always",
        "SigningProtocol": "sigv4",
    }
    (origin,) = _behavior(synth)["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origin["DomainName"] == {
        "Fn::GetStackOutput": {
            "StackName": synth.stacks.service.stack_name,
            "Region": synth.config.home_region,
            "OutputName": OUTPUT_URL_DOMAIN,
        }
    }
    # ... and the home stack publishes exactly the URL's host name under that output.
    (url_id,) = (
        k for k, v in synth.resources(synth.stacks.service, "AWS::Lambda::Url").items() if "Condition" not in v
    )
    output = synth.template(synth.stacks.service)["Outputs"][OUTPUT_URL_DOMAIN]["Value"]
    assert output == {"Fn::Select": [2, {"Fn::Split": ["/", {"Fn::GetAtt": [url_id, "FunctionUrl"]}]}]}


def test_no_lambda_permission_outside_the_function_region(synth: Synth) -> None:
    # with_origin_access_control adds both permissions to the distribution's stack; they must not stay there.
    assert synth.resources(synth.stacks.edge, "AWS::Lambda::Permission") == {}


def test_viewer_tls(synth_us: Synth, synth_eu: Synth) -> None:
    custom = _behavior(synth_us)
    assert custom["Aliases"] == ["api.example.com"]
    assert custom["ViewerCertificate"] == {
        "AcmCertificateArn": synth_us.config.certificate_arn,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }
    default = _behavior(synth_eu)
    assert "Aliases" not in default
    assert "ViewerCertificate" not in default  # *.cloudfront.net certificate


def test_web_acl_name_is_the_metric_name_the_monitoring_reads(synth: Synth) -> None:
    # AWS/WAFV2's WebACL dimension: the docs say the web ACL's name, CloudWatch shows the
    # VisibilityConfig metric name. Both are one string, and it is what alarms and widgets read.
    acl = synth.one(synth.stacks.edge, "AWS::WAFv2::WebACL")
    assert acl["Name"] == acl["VisibilityConfig"]["MetricName"] == synth.stacks.edge.web_acl_metric_name
    read = set()
    for key in ("home", "edge"):
        for t in synth.templates[key].all_templates():
            for a in alarm_metrics(t):
                if a.namespace == "AWS/WAFV2":
                    read.add(a.dim_map["WebACL"])
    for body in dashboard_bodies(synth.templates["home"]):
        read |= {m.dim_map["WebACL"] for m in dashboard_metrics(body) if m.namespace == "AWS/WAFV2"}
        read |= {e.split('WebACL="')[1].split('"')[0] for _, e in dashboard_expressions(body) if "AWS/WAFV2" in e}
    assert read == {acl["Name"]}


def test_cloudfront_standard_logs_v2_go_to_cloudwatch_logs(synth: Synth) -> None:
    edge = synth.stacks.edge
    groups = synth.resources(edge, "AWS::Logs::LogGroup")
    (log_id,) = [k for k, v in groups.items() if "cloudfront" in str(v["Properties"].get("LogGroupName"))]
    group = groups[log_id]["Properties"]
    assert group["RetentionInDays"] == synth.config.log_retention_days  # the one configured retention
    assert group["LogGroupName"].startswith("/aws/vendedlogs/")
    dist_id = next(iter(synth.resources(edge, "AWS::CloudFront::Distribution")))

    source = synth.one(edge, "AWS::Logs::DeliverySource")
    assert source["LogType"] == "ACCESS_LOGS"
    assert json.dumps(source["ResourceArn"]).count(dist_id) == 1  # this distribution's ARN
    assert ":distribution/" in json.dumps(source["ResourceArn"])
    dest_id, dest = next(iter(synth.resources(edge, "AWS::Logs::DeliveryDestination").items()))
    assert dest["Properties"]["OutputFormat"] == "json"
    assert log_id in json.dumps(dest["Properties"]["DestinationResourceArn"])
    assert not json.dumps(dest["Properties"]["DestinationResourceArn"]).endswith(':*"]]}')
    (delivery,) = synth.resources(edge, "AWS::Logs::Delivery").values()
    props = delivery["Properties"]
    assert props["RecordFields"] == list(cloudfront_logs.RECORD_FIELDS)
    assert props["DeliveryDestinationArn"] == {"Fn::GetAtt": [dest_id, "Arn"]}
    source_id = next(iter(synth.resources(edge, "AWS::Logs::DeliverySource")))
    assert props["DeliverySourceName"] == {"Ref": source_id}

    # No account-level log resource policy: the delivery creates the log-group-level one it needs
    # (tests/synth/test_deploy_safety.py checks every stack).
    assert "DependsOn" not in delivery


def test_edge_saved_queries_run_on_the_cloudfront_log_group(synth: Synth) -> None:
    (edge_log_name,) = [
        v["Properties"]["LogGroupName"]
        for v in synth.resources(synth.stacks.edge, "AWS::Logs::LogGroup").values()
        if "cloudfront" in v["Properties"]["LogGroupName"]
    ]
    defs = {
        r["Properties"]["Name"].split("/")[-1]: r["Properties"]
        for t in synth.templates["edge"].all_templates()
        for r in t.resources("AWS::Logs::QueryDefinition").values()
    }
    assert edge_log_name.startswith("/aws/vendedlogs/cloudfront/")
    for q in queries.cloudfront_log_queries():
        (group,) = defs[q.key]["LogGroupNames"]
        # the edge stack's access log group, by name or through its published output
        assert group == edge_log_name or "EdgeAccessLogs" in group["Fn::GetStackOutput"]["OutputName"], group
        assert defs[q.key]["QueryString"] == q.text
