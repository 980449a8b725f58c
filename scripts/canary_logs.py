"""After `make deploy`: the canary's run log group gets the deployment's retention.

Synthetics runs each canary as a Lambda function it creates at deploy time, ``cwsyn-<canary name>-<id>``,
and Lambda creates its log group ``/aws/lambda/cwsyn-<canary name>-<id>`` on the first run, with no
retention (kept forever); DeleteCanary leaves it behind. The id is unknown to the template, so the template
cannot create the log group (and creating it after the canary would race the first run). This step asks
Synthetics for the function (GetCanary: EngineArn), creates the log group if the canary has not run yet,
and sets its retention to the function's own (``log_retention_days``, read from the Service template in the
cloud assembly). Idempotent; `make deploy` runs it after the stacks. Needs synthetics:GetCanary,
logs:CreateLogGroup and logs:PutRetentionPolicy.

    python -m scripts.canary_logs [cdk.out]
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.deploy_plan import stacks

CANARY = "AWS::Synthetics::Canary"
LAMBDA_LOG_PREFIX = "/aws/lambda/"


@dataclass(frozen=True)
class CanaryLogs:
    canary: str  # the canary's name
    region: str
    retention_days: int


def function_retention_days(assembly: Path) -> int:
    """The retention of the function's own log group (/aws/lambda/<service>-api): the deployment's setting."""
    found = {
        r["Properties"]["RetentionInDays"]
        for s in stacks(assembly).values()
        for r in s.templates[0].get("Resources", {}).values()
        if r.get("Type") == "AWS::Logs::LogGroup"
        and str(r.get("Properties", {}).get("LogGroupName", "")).startswith(LAMBDA_LOG_PREFIX)
    }
    if len(found) != 1:
        raise ValueError(f"expected one Lambda log group retention in {assembly}, found {sorted(found)}")
    return int(found.pop())


def canaries(assembly: Path) -> list[CanaryLogs]:
    """Every canary in the assembly, with its region and the retention its run logs get."""
    days = None
    out = []
    for s in stacks(assembly).values():
        for template in s.templates:
            for r in template.get("Resources", {}).values():
                if r.get("Type") == CANARY:
                    days = days or function_retention_days(assembly)
                    out.append(CanaryLogs(r["Properties"]["Name"], s.region, days))
    return out


def log_group_of(engine_arn: str) -> str:
    """``arn:aws:lambda:<region>:<account>:function:<name>[:<version>]`` -> ``/aws/lambda/<name>``."""
    parts = engine_arn.split(":")
    if len(parts) < 7 or parts[5] != "function":
        raise ValueError(f"not a Lambda function ARN: {engine_arn!r}")
    return LAMBDA_LOG_PREFIX + parts[6]


# (service, region) -> a boto3-like client; tests pass stand-ins.
ClientFactory = Callable[[str, str], Any]


def _boto3_client(service: str, region: str) -> Any:
    import boto3  # only when run against AWS

    return boto3.client(service, region_name=region)


def apply(assembly: Path, client: ClientFactory = _boto3_client) -> Iterator[str]:
    """Set each canary's run log group retention; yields one line per canary."""
    for c in canaries(assembly):
        engine = client("synthetics", c.region).get_canary(Name=c.canary)["Canary"].get("EngineArn")
        if not engine:
            yield f"{c.canary}: no function yet (Synthetics creates it with the canary); run again later"
            continue
        group = log_group_of(engine)
        logs = client("logs", c.region)
        try:
            logs.create_log_group(logGroupName=group)
        except Exception as err:  # only "already exists" is expected: anything else is re-raised
            if "ResourceAlreadyExists" not in type(err).__name__ + str(err):
                raise
        logs.put_retention_policy(logGroupName=group, retentionInDays=c.retention_days)
        yield f"{c.canary}: {group} ({c.region}) keeps {c.retention_days} days"


def main(argv: list[str]) -> int:
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        sys.stderr.write(__doc__ or "")
        return 2
    assembly = Path(argv[0] if argv else "cdk.out")
    for line in apply(assembly):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
