"""AWS's OpenTelemetry distro layer for Python (AWSOpenTelemetryDistroPython), pinned per region in
this one place, as the Powertools layer is pinned by version in stacks/service_stack.py.

A Lambda layer is a regional resource and AWS publishes this one under a different version number (and,
in a few regions, another account) per region, so the pin is the full ARN per region. Source: the ADOT
documentation's layer table (aws-otel.github.io, src/config/lambdaLayerArns.js, as of LAYER_PINNED_AS_OF).
The tests run the distro's SDK from PyPI (aws-opentelemetry-distro in requirements-dev.txt); move the
pins here and that version together, reading the layer's release notes for the distro version it ships.

CDK-free: stacks/config.py validates the ``tracing`` option against it without starting jsii.
"""

from __future__ import annotations

LAYER_PINNED_AS_OF = "2026-07-22"
# The layer's wrapper: it sets the SDK up (exporter to the X-Ray daemon, propagators, botocore
# instrumentation) and wraps the handler in the request's SERVER span. One wrapper per function.
EXEC_WRAPPER = "/opt/otel-instrument"
# Application Signals (per-operation metrics and the service map, from the spans) needs this managed
# policy; the distro turns it on by default, the kit only with the `application_signals` option.
APPLICATION_SIGNALS_POLICY = "CloudWatchLambdaApplicationSignalsExecutionRolePolicy"

OTEL_PYTHON_LAYER_ARNS: dict[str, str] = {
    "af-south-1": "arn:aws:lambda:af-south-1:904233096616:layer:AWSOpenTelemetryDistroPython:23",
    "ap-east-1": "arn:aws:lambda:ap-east-1:888577020596:layer:AWSOpenTelemetryDistroPython:23",
    "ap-east-2": "arn:aws:lambda:ap-east-2:412664885777:layer:AWSOpenTelemetryDistroPython:4",
    "ap-northeast-1": "arn:aws:lambda:ap-northeast-1:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "ap-northeast-2": "arn:aws:lambda:ap-northeast-2:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "ap-northeast-3": "arn:aws:lambda:ap-northeast-3:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "ap-south-1": "arn:aws:lambda:ap-south-1:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "ap-south-2": "arn:aws:lambda:ap-south-2:796973505492:layer:AWSOpenTelemetryDistroPython:23",
    "ap-southeast-1": "arn:aws:lambda:ap-southeast-1:615299751070:layer:AWSOpenTelemetryDistroPython:25",
    "ap-southeast-2": "arn:aws:lambda:ap-southeast-2:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "ap-southeast-3": "arn:aws:lambda:ap-southeast-3:039612877180:layer:AWSOpenTelemetryDistroPython:23",
    "ap-southeast-4": "arn:aws:lambda:ap-southeast-4:713881805771:layer:AWSOpenTelemetryDistroPython:23",
    "ap-southeast-5": "arn:aws:lambda:ap-southeast-5:152034782359:layer:AWSOpenTelemetryDistroPython:14",
    "ap-southeast-6": "arn:aws:lambda:ap-southeast-6:313828097273:layer:AWSOpenTelemetryDistroPython:3",
    "ap-southeast-7": "arn:aws:lambda:ap-southeast-7:980416031188:layer:AWSOpenTelemetryDistroPython:14",
    "ca-central-1": "arn:aws:lambda:ca-central-1:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "ca-west-1": "arn:aws:lambda:ca-west-1:595944127152:layer:AWSOpenTelemetryDistroPython:14",
    "cn-north-1": "arn:aws-cn:lambda:cn-north-1:440179912924:layer:AWSOpenTelemetryDistroPython:14",
    "cn-northwest-1": "arn:aws-cn:lambda:cn-northwest-1:440180067931:layer:AWSOpenTelemetryDistroPython:14",
    "eu-central-1": "arn:aws:lambda:eu-central-1:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "eu-central-2": "arn:aws:lambda:eu-central-2:156041407956:layer:AWSOpenTelemetryDistroPython:23",
    "eu-north-1": "arn:aws:lambda:eu-north-1:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "eu-south-1": "arn:aws:lambda:eu-south-1:257394471194:layer:AWSOpenTelemetryDistroPython:23",
    "eu-south-2": "arn:aws:lambda:eu-south-2:490004653786:layer:AWSOpenTelemetryDistroPython:23",
    "eu-west-1": "arn:aws:lambda:eu-west-1:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "eu-west-2": "arn:aws:lambda:eu-west-2:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "eu-west-3": "arn:aws:lambda:eu-west-3:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "il-central-1": "arn:aws:lambda:il-central-1:746669239226:layer:AWSOpenTelemetryDistroPython:23",
    "me-central-1": "arn:aws:lambda:me-central-1:739275441131:layer:AWSOpenTelemetryDistroPython:22",
    "mx-central-1": "arn:aws:lambda:mx-central-1:610118373846:layer:AWSOpenTelemetryDistroPython:14",
    "sa-east-1": "arn:aws:lambda:sa-east-1:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "us-east-1": "arn:aws:lambda:us-east-1:615299751070:layer:AWSOpenTelemetryDistroPython:29",
    "us-east-2": "arn:aws:lambda:us-east-2:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "us-west-1": "arn:aws:lambda:us-west-1:615299751070:layer:AWSOpenTelemetryDistroPython:33",
    "us-west-2": "arn:aws:lambda:us-west-2:615299751070:layer:AWSOpenTelemetryDistroPython:33",
}


def otel_layer_arn(region: str) -> str:
    """The pinned layer version ARN for ``region``; KeyError when AWS publishes none there."""
    return OTEL_PYTHON_LAYER_ARNS[region]
