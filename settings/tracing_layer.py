"""AWS's OpenTelemetry distro layer for Python (AWSOpenTelemetryDistroPython), pinned per region in
this one place, as the Powertools layer is pinned by version in stacks/service_stack.py.

A Lambda layer is a regional resource and AWS publishes this one under a different version number (and,
in a few regions, another account) per region, so the pin is the full ARN per region.

Which release: LAYER_RELEASE, the first with fast start (OTEL_AWS_LAMBDA_FAST_START, its lite SDK:
aws-otel-python-instrumentation v0.19.0, 2026-07-22). The ADOT documentation's layer table lags the
releases (on 2026-07-22 it still listed v0.18.0, which has no fast start and re-enables ~50
instrumentations when OTEL_PYTHON_DISABLED_INSTRUMENTATIONS is set). Source of the ARNs: the v0.19.0
layer publication (aws-otel/aws-otel.github.io PR #847, 2026-08-18, copied from the release build's
"layer ARN constants" step), which moved every region's version one past v0.18.0's (PR #839). Confirm a
region before a first deploy there: `aws lambda get-layer-version-by-arn --arn <ARN>` names the release
in its description.

The tests and the bench run the same release's SDK from PyPI (aws-opentelemetry-distro==LAYER_RELEASE
in requirements-dev.txt; tests/unit/settings/test_tracing_layer.py ties the two): move the ARNs, LAYER_RELEASE
and that pin together, reading the release notes for what the release's otel-instrument and lite SDK
honour (stacks/service_stack.py tracing_environment sets only those).

CDK-free: settings/config.py validates the ``tracing`` option against it without starting jsii.
"""

from __future__ import annotations

# The aws-otel-python-instrumentation release the ARNs below publish (its PyPI package: aws-opentelemetry-distro).
LAYER_RELEASE = "0.19.0"
# The release that first honours OTEL_AWS_LAMBDA_FAST_START (the layer's otel-instrument and otel_wrapper.py).
FAST_START_SINCE = "0.19.0"
# The layer's wrapper: it sets the SDK up (exporter to the X-Ray daemon, propagators, botocore
# instrumentation) and wraps the handler in the request's SERVER span. One wrapper per function.
EXEC_WRAPPER = "/opt/otel-instrument"
# Application Signals (per-operation metrics and the service map, from the spans) needs this managed
# policy; the distro turns it on by default, the kit only with the `application_signals` option.
APPLICATION_SIGNALS_POLICY = "CloudWatchLambdaApplicationSignalsExecutionRolePolicy"

OTEL_PYTHON_LAYER_ARNS: dict[str, str] = {
    "af-south-1": "arn:aws:lambda:af-south-1:904233096616:layer:AWSOpenTelemetryDistroPython:24",
    "ap-east-1": "arn:aws:lambda:ap-east-1:888577020596:layer:AWSOpenTelemetryDistroPython:24",
    "ap-east-2": "arn:aws:lambda:ap-east-2:412664885777:layer:AWSOpenTelemetryDistroPython:5",
    "ap-northeast-1": "arn:aws:lambda:ap-northeast-1:615299751070:layer:AWSOpenTelemetryDistroPython:27",
    "ap-northeast-2": "arn:aws:lambda:ap-northeast-2:615299751070:layer:AWSOpenTelemetryDistroPython:27",
    "ap-northeast-3": "arn:aws:lambda:ap-northeast-3:615299751070:layer:AWSOpenTelemetryDistroPython:27",
    "ap-south-1": "arn:aws:lambda:ap-south-1:615299751070:layer:AWSOpenTelemetryDistroPython:27",
    "ap-south-2": "arn:aws:lambda:ap-south-2:796973505492:layer:AWSOpenTelemetryDistroPython:24",
    "ap-southeast-1": "arn:aws:lambda:ap-southeast-1:615299751070:layer:AWSOpenTelemetryDistroPython:26",
    "ap-southeast-2": "arn:aws:lambda:ap-southeast-2:615299751070:layer:AWSOpenTelemetryDistroPython:27",
    "ap-southeast-3": "arn:aws:lambda:ap-southeast-3:039612877180:layer:AWSOpenTelemetryDistroPython:24",
    "ap-southeast-4": "arn:aws:lambda:ap-southeast-4:713881805771:layer:AWSOpenTelemetryDistroPython:24",
    "ap-southeast-5": "arn:aws:lambda:ap-southeast-5:152034782359:layer:AWSOpenTelemetryDistroPython:15",
    "ap-southeast-6": "arn:aws:lambda:ap-southeast-6:313828097273:layer:AWSOpenTelemetryDistroPython:4",
    "ap-southeast-7": "arn:aws:lambda:ap-southeast-7:980416031188:layer:AWSOpenTelemetryDistroPython:15",
    "ca-central-1": "arn:aws:lambda:ca-central-1:615299751070:layer:AWSOpenTelemetryDistroPython:27",
    "ca-west-1": "arn:aws:lambda:ca-west-1:595944127152:layer:AWSOpenTelemetryDistroPython:15",
    "cn-north-1": "arn:aws-cn:lambda:cn-north-1:440179912924:layer:AWSOpenTelemetryDistroPython:15",
    "cn-northwest-1": "arn:aws-cn:lambda:cn-northwest-1:440180067931:layer:AWSOpenTelemetryDistroPython:15",
    "eu-central-1": "arn:aws:lambda:eu-central-1:615299751070:layer:AWSOpenTelemetryDistroPython:27",
    "eu-central-2": "arn:aws:lambda:eu-central-2:156041407956:layer:AWSOpenTelemetryDistroPython:24",
    "eu-north-1": "arn:aws:lambda:eu-north-1:615299751070:layer:AWSOpenTelemetryDistroPython:27",
    "eu-south-1": "arn:aws:lambda:eu-south-1:257394471194:layer:AWSOpenTelemetryDistroPython:24",
    "eu-south-2": "arn:aws:lambda:eu-south-2:490004653786:layer:AWSOpenTelemetryDistroPython:24",
    "eu-west-1": "arn:aws:lambda:eu-west-1:615299751070:layer:AWSOpenTelemetryDistroPython:27",
    "eu-west-2": "arn:aws:lambda:eu-west-2:615299751070:layer:AWSOpenTelemetryDistroPython:27",
    "eu-west-3": "arn:aws:lambda:eu-west-3:615299751070:layer:AWSOpenTelemetryDistroPython:27",
    "il-central-1": "arn:aws:lambda:il-central-1:746669239226:layer:AWSOpenTelemetryDistroPython:24",
    "me-central-1": "arn:aws:lambda:me-central-1:739275441131:layer:AWSOpenTelemetryDistroPython:23",
    "mx-central-1": "arn:aws:lambda:mx-central-1:610118373846:layer:AWSOpenTelemetryDistroPython:15",
    "sa-east-1": "arn:aws:lambda:sa-east-1:615299751070:layer:AWSOpenTelemetryDistroPython:27",
    "us-east-1": "arn:aws:lambda:us-east-1:615299751070:layer:AWSOpenTelemetryDistroPython:30",
    "us-east-2": "arn:aws:lambda:us-east-2:615299751070:layer:AWSOpenTelemetryDistroPython:27",
    "us-west-1": "arn:aws:lambda:us-west-1:615299751070:layer:AWSOpenTelemetryDistroPython:34",
    "us-west-2": "arn:aws:lambda:us-west-2:615299751070:layer:AWSOpenTelemetryDistroPython:34",
}


def otel_layer_arn(region: str) -> str:
    """The pinned layer version ARN for ``region``; KeyError when AWS publishes none there."""
    return OTEL_PYTHON_LAYER_ARNS[region]
