"""`make verify`: after a deploy, prove no consumer stack still points at a producer's old resource.

Stacks read each other's values with Fn::GetStackOutput, a weak reference that CloudFormation resolves
only when the *consuming* stack is created or updated. A producer resource that was replaced (a new
distribution, table or Function URL) leaves consumers pointing at the old one, silently. This reads
every stack's outputs (CloudFormation DescribeStacks, home region and us-east-1), then what each
consumer really points at, and fails with one line per stale reference:

- EdgeAccess: CloudFront's two invoke permissions on the current function, SourceArn = the current
  distribution (Lambda GetPolicy);
- Edge: the distribution's origin is the current Function URL's domain, and that URL exists;
- Monitoring / EdgeMonitoring: every alarm's and dashboard metric's FunctionName, TableName,
  DistributionId and WebACL dimensions are the current ones;
- saved queries: every log group they name exists, and is the one of their kind.

    python -m scripts.verify [-c key=value ...]      # the same -c overrides as make deploy

Needs credentials (boto3's usual chain) with read access; exits 1 on any problem. `collect` makes
the AWS calls, `check` is pure (tests feed it recorded describe outputs).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from observability.monitoring_config import MonitoringConfig
from settings.config import InfraConfig, cli_context, load_config

EDGE_REGION = "us-east-1"
CLOUDFRONT = "cloudfront.amazonaws.com"
INVOKE_ACTIONS = ("lambda:InvokeFunctionUrl", "lambda:InvokeFunction")
# Alarm / dashboard dimension -> (producer stack suffix, its output naming the current value).
WATCHED_DIMENSIONS: dict[str, tuple[str, str]] = {
    "FunctionName": ("Service", "FunctionName"),
    "TableName": ("Service", "TableName"),
    "DistributionId": ("Edge", "DistributionId"),
    "WebACL": ("Edge", "WebAclName"),
}


@dataclass(frozen=True)
class Names:
    """Where to look, from the same configuration `make deploy` used."""

    prefix: str
    home_region: str
    service_name: str
    dashboard: str
    query_folder: str

    @classmethod
    def of(cls, config: InfraConfig) -> Names:
        m: MonitoringConfig = config.monitoring
        return cls(config.prefix, config.home_region, config.service_name, m.dashboard_name, m.query_folder)

    def stack(self, suffix: str) -> str:
        return f"{self.prefix}-{suffix}"

    def region(self, suffix: str) -> str:
        return EDGE_REGION if suffix in ("Edge", "EdgeMonitoring") else self.home_region


STACKS = ("Service", "Edge", "EdgeAccess", "Monitoring", "EdgeMonitoring")


@dataclass
class Snapshot:
    """What AWS says now. ``None`` = the thing does not exist (or could not be read)."""

    outputs: dict[str, dict[str, str] | None]  # stack suffix -> output key -> value
    function_policy: dict[str, Any] | None = None  # Lambda GetPolicy, parsed
    function_url_domain: str | None = None  # GetFunctionUrlConfig of the current function
    origin_domains: list[str] | None = None  # the current distribution's origins
    alarms: list[dict[str, Any]] = field(default_factory=list)  # DescribeAlarms MetricAlarms (+ "Region")
    dashboard: dict[str, Any] | None = None  # the parsed DashboardBody
    query_definitions: list[dict[str, Any]] = field(default_factory=list)  # (+ "Region")
    log_groups: set[tuple[str, str]] = field(default_factory=set)  # (region, name) that exist


# --- the pure part ---------------------------------------------------------------------------


def check(snap: Snapshot, names: Names) -> list[str]:
    """Every stale or dangling reference, one readable line each (empty = all consistent)."""
    missing = [s for s in STACKS if snap.outputs.get(s) is None]
    problems = [f"stack {names.stack(s)} ({names.region(s)}) not found: deploy it (make deploy)" for s in missing]
    out = {s: v for s, v in snap.outputs.items() if v is not None}
    if "Service" in out and "Edge" in out:
        problems += _edge_access(snap, names, out)
        problems += _origin(snap, names, out)
    problems += _dimensions(snap, names, out)
    problems += _queries(snap, names, out)
    return problems


def _redeploy(names: Names, suffix: str) -> str:
    return f"redeploy {names.stack(suffix)} (make deploy; it re-reads producer outputs)"


def _edge_access(snap: Snapshot, names: Names, out: Mapping[str, Mapping[str, str]]) -> list[str]:
    function = out["Service"].get("FunctionName", "?")
    dist = out["Edge"].get("DistributionId", "?")
    statements = (snap.function_policy or {}).get("Statement", [])
    problems = []
    for action in INVOKE_ACTIONS:
        grants = [s for s in statements if _principal(s) == CLOUDFRONT and s.get("Action") == action]
        sources = sorted({_source_arn(s) for s in grants})
        if any(src.endswith(f":distribution/{dist}") for src in sources):
            continue
        if sources:
            problems.append(
                f"EdgeAccess: {action} on {function} is granted to {', '.join(sources)}, not the current "
                f"distribution {dist}: CloudFront gets 403 from the Function URL. {_redeploy(names, 'EdgeAccess')}"
            )
        else:
            problems.append(
                f"EdgeAccess: no {action} permission for CloudFront on {function} (the function was "
                f"recreated, or the grant removed): CloudFront gets 403. {_redeploy(names, 'EdgeAccess')}"
            )
    return problems


def _principal(statement: Mapping[str, Any]) -> str:
    principal = statement.get("Principal")
    return principal.get("Service", "") if isinstance(principal, dict) else str(principal or "")


def _source_arn(statement: Mapping[str, Any]) -> str:
    for values in (statement.get("Condition") or {}).values():
        for key, value in values.items() if isinstance(values, dict) else ():
            if key.lower() == "aws:sourcearn":
                return str(value)
    return "(any source)"


def _origin(snap: Snapshot, names: Names, out: Mapping[str, Mapping[str, str]]) -> list[str]:
    published = out["Service"].get("FunctionUrlDomain")
    problems = []
    if snap.function_url_domain is None:
        problems.append(f"Service: function {out['Service'].get('FunctionName')} has no Function URL")
    elif published != snap.function_url_domain:
        problems.append(
            f"Service: output FunctionUrlDomain {published} is not the URL's domain {snap.function_url_domain}: "
            f"{_redeploy(names, 'Service')}"
        )
    origins = snap.origin_domains
    if origins is None:
        problems.append(f"Edge: distribution {out['Edge'].get('DistributionId')} not found")
    elif snap.function_url_domain and snap.function_url_domain not in origins:
        problems.append(
            f"Edge: the distribution's origin is {', '.join(origins)}, not the current Function URL "
            f"{snap.function_url_domain}: every request fails at the origin. {_redeploy(names, 'Edge')}"
        )
    return problems


def _dimensions(snap: Snapshot, names: Names, out: Mapping[str, Mapping[str, str]]) -> list[str]:
    current = {dim: out.get(stack, {}).get(key) for dim, (stack, key) in WATCHED_DIMENSIONS.items()}
    problems = []
    for where, on_dashboard, dims in _read_dimensions(snap, names):
        for dim, value in dims:
            want = current.get(dim)
            # The dashboard and the function/table alarms are Monitoring's; edge alarms EdgeMonitoring's.
            consumer = "Monitoring" if on_dashboard or WATCHED_DIMENSIONS[dim][0] == "Service" else "EdgeMonitoring"
            if want is not None and value != want:
                problems.append(
                    f"{consumer}: {where} reads {dim}={value}, the current one is {want}: {_redeploy(names, consumer)}"
                )
    return sorted(set(problems))


def _read_dimensions(snap: Snapshot, names: Names) -> Iterator[tuple[str, bool, list[tuple[str, str]]]]:
    """(where, on the dashboard?, watched dimensions) for every metric an alarm or widget reads."""
    for alarm in snap.alarms:
        metrics = [alarm] + [q["MetricStat"]["Metric"] for q in alarm.get("Metrics", []) if "MetricStat" in q]
        for m in metrics:
            dims = [(d["Name"], d["Value"]) for d in m.get("Dimensions", []) if d["Name"] in WATCHED_DIMENSIONS]
            yield f"alarm {alarm['AlarmName']} ({alarm.get('Region')})", False, dims
    if snap.dashboard is not None:
        for title, dims in dashboard_dimensions(snap.dashboard):
            yield f"dashboard {names.dashboard} widget {title!r}", True, [d for d in dims if d[0] in WATCHED_DIMENSIONS]


def dashboard_dimensions(body: Mapping[str, Any]) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(widget title, [(dimension, value)]) per metric row; "." repeats the row above's entry."""
    for widget in body.get("widgets", []):
        props = widget.get("properties", {})
        previous: list[Any] = []
        for row in props.get("metrics", []):
            cells = [c for c in row if not isinstance(c, dict)]
            cells = [previous[i] if c == "." and i < len(previous) else c for i, c in enumerate(cells)]
            previous = cells
            if len(cells) >= 4 and len(cells) % 2 == 0:  # namespace, metric, then name/value pairs
                pairs = list(zip(cells[2::2], cells[3::2], strict=True))
                yield str(props.get("title", "")), [(str(k), str(v)) for k, v in pairs]


def _queries(snap: Snapshot, names: Names, out: Mapping[str, Mapping[str, str]]) -> list[str]:
    home_group = out.get("Service", {}).get("LogGroupName")
    edge_groups: set[str] = {g for k in ("WafLogGroup", "EdgeAccessLogGroup") if (g := out.get("Edge", {}).get(k))}
    problems = []
    for q in snap.query_definitions:
        region = q["Region"]
        consumer = "EdgeMonitoring" if region == EDGE_REGION and names.home_region != EDGE_REGION else "Monitoring"
        expected = {home_group} if region == names.home_region and home_group else set()
        if region == EDGE_REGION:
            expected |= edge_groups
        for group in q.get("logGroupNames", []):
            if (region, group) not in snap.log_groups:
                problems.append(
                    f"saved query {q['name']} ({region}) reads log group {group}, which does not exist: "
                    f"{_redeploy(names, consumer)}"
                )
            elif expected and group not in expected:
                problems.append(
                    f"saved query {q['name']} ({region}) reads {group}, not the current "
                    f"{' or '.join(sorted(expected))}: {_redeploy(names, consumer)}"
                )
    return problems


# --- the AWS calls ---------------------------------------------------------------------------


def collect(names: Names, session: Any) -> Snapshot:
    """Read everything `check` needs. ``session`` is a boto3 Session (tests pass stubbed clients)."""

    def client(service: str, region: str) -> Any:
        return session.client(service, region_name=region)

    snap = Snapshot(outputs={s: _outputs(client("cloudformation", names.region(s)), names.stack(s)) for s in STACKS})
    service, edge = snap.outputs.get("Service"), snap.outputs.get("Edge")
    lam = client("lambda", names.home_region)
    if service and service.get("FunctionName"):
        fn = service["FunctionName"]
        snap.function_policy = _call(lambda: json.loads(lam.get_policy(FunctionName=fn)["Policy"]))
        url = _call(lambda: lam.get_function_url_config(FunctionName=fn)["FunctionUrl"])
        snap.function_url_domain = url.split("/")[2] if url else None
    if edge and edge.get("DistributionId"):
        cf = client("cloudfront", EDGE_REGION)
        config = _call(lambda: cf.get_distribution_config(Id=edge["DistributionId"])["DistributionConfig"])
        snap.origin_domains = [o["DomainName"] for o in config["Origins"]["Items"]] if config else None
    for region in sorted({names.home_region, EDGE_REGION}):
        cw = client("cloudwatch", region)
        for page in cw.get_paginator("describe_alarms").paginate(AlarmNamePrefix=f"{names.service_name}-"):
            snap.alarms += [a | {"Region": region} for a in page.get("MetricAlarms", [])]
        logs = client("logs", region)
        snap.query_definitions += [q | {"Region": region} for q in _query_definitions(logs, f"{names.query_folder}/")]
        wanted = {g for q in snap.query_definitions if q["Region"] == region for g in q.get("logGroupNames", [])}
        snap.log_groups |= {(region, g) for g in sorted(wanted) if _log_group_exists(logs, g)}
    body = _call(lambda: client("cloudwatch", names.home_region).get_dashboard(DashboardName=names.dashboard))
    snap.dashboard = json.loads(body["DashboardBody"]) if body else None
    return snap


def _call(fn: Any) -> Any:
    """The call's result, or None when the resource does not exist."""
    try:
        return fn()
    except Exception as exc:  # botocore ClientError subclasses, e.g. ResourceNotFoundException
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
        if code in ("ResourceNotFoundException", "ResourceNotFound", "NoSuchDistribution", "ValidationError"):
            return None
        raise


def _outputs(cfn: Any, stack: str) -> dict[str, str] | None:
    found = _call(lambda: cfn.describe_stacks(StackName=stack)["Stacks"])
    if not found:
        return None
    return {o["OutputKey"]: o["OutputValue"] for o in found[0].get("Outputs", [])}


def _query_definitions(logs: Any, prefix: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = logs.describe_query_definitions(
            queryDefinitionNamePrefix=prefix, **({"nextToken": token} if token else {})
        )
        out += page.get("queryDefinitions", [])
        token = page.get("nextToken")
        if not token:
            return out


def _log_group_exists(logs: Any, name: str) -> bool:
    page = logs.describe_log_groups(logGroupNamePrefix=name, limit=50)
    return any(g["logGroupName"] == name for g in page.get("logGroups", []))


def context_args(argv: Sequence[str]) -> list[str]:
    """Only the ``-c key=value`` pairs of CDK_CONTEXT (make passes CDK_ARGS, which may hold other flags)."""
    out: list[str] = []
    it = iter(argv)
    for flag in it:
        if flag in ("-c", "--context"):
            out += ["-c", next(it, "")]
    return out


def main(argv: Sequence[str] = ()) -> int:
    import boto3  # here, not at the top: the pure part and its tests need no session

    names = Names.of(load_config(cli_context(context_args(argv)), environ={}))
    problems = check(collect(names, boto3.Session()), names)
    for line in problems:
        print(f"STALE  {line}", file=sys.stderr)
    if not problems:
        print(f"verify: every cross-stack reference of {names.prefix} points at a current resource")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
