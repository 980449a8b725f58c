"""The outside-in canary (config `canary`, on by default): a CloudWatch Synthetics canary in us-east-1 that
calls the API through its public URL every 5 minutes (canary/python/api_canary.py). Its alarm,
api-unreachable, is declared in observability/units/canary.py and created beside the CloudFront and WAF
alarms in the EdgeMonitoring stack: an alarm must live in its metric's region, and the canary's region
is the one the edge alarms already page from.

With api_keys on, the canary sends a key of its own, generated into a Secrets Manager secret (the
CanaryApiKeySecret output); the edge accepts it once its hash is in the KeyValueStore:
``python scripts/api_keys.py --stack <prefix>-Edge add canary --from-secret <CanaryApiKeySecret>``.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import Acknowledgment, Duration, Validations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_synthetics as synthetics
from constructs import Construct

from observability.units.canary import RATE_MINUTES, body, targets
from service.catalogue import RouteSpec

CANARY_CODE = Path(__file__).resolve().parents[1] / "canary"  # python/api_canary.py, as Synthetics wants it
HANDLER = "api_canary.handler"
# The newest Python runtime Synthetics publishes (CloudWatch docs, "Runtime versions using Python and Selenium
# Webdriver": syn-python-selenium-14.0, Python 3.12), named by string: aws-cdk-lib 2.275's enum stops at 7.0.
# The script uses only the standard library's HTTP (the browser is never started). Move it when AWS publishes
# a newer one (the docs page lists them; DescribeRuntimeVersions too).
RUNTIME_NAME = "syn-python-selenium-14.0"
RUNTIME = synthetics.Runtime(RUNTIME_NAME, synthetics.RuntimeFamily.PYTHON)
# A failed run is retried once (RetryConfig, from syn-python-selenium 5.1): one dropped connection is not an
# outage, and the alarm still needs two failed 5-minute runs, each already retried.
MAX_RETRIES = 1
OUTPUT_ARTIFACTS_BUCKET = "CanaryArtifactsBucket"  # kept by `make destroy` (docs/deploy.md#teardown)
OUTPUT_SECRET = "CanaryApiKeySecret"  # noqa: S105 - an output's name: the ARN of the secret holding the canary's API key (api_keys on)
# Run artifacts (the run's log and report) are kept as long as Synthetics keeps the run (its default, 31 days).
ARTIFACT_DAYS = 31


class ApiCanary(Construct):
    """The canary and, with API keys, its key. ``name`` (MonitoringConfig.canary_name) is what its metrics
    are published under."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        api_url: str,
        routes: tuple[RouteSpec, ...],
        api_keys: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        called = targets(routes)
        env = {
            "API_URL": api_url,
            "CANARY_ROUTES": ",".join(f"{r.name}={r.label}" for r in called),
            "CANARY_BODY": body(),
        }
        self.secret: secretsmanager.Secret | None = None
        if api_keys:
            self.secret = _api_key_secret(self)
            env["API_KEY_SECRET_ARN"] = self.secret.secret_arn
        self.canary = synthetics.Canary(
            self,
            "Canary",
            canary_name=name,
            runtime=RUNTIME,
            test=synthetics.Test.custom(code=synthetics.Code.from_asset(str(CANARY_CODE)), handler=HANDLER),
            schedule=synthetics.Schedule.rate(Duration.minutes(RATE_MINUTES)),
            # Six requests of at most 5 s each, plus the key read: a run never overlaps the next.
            timeout=Duration.seconds(60),
            environment_variables=env,
            success_retention_period=Duration.days(ARTIFACT_DAYS),
            failure_retention_period=Duration.days(ARTIFACT_DAYS),
            artifacts_bucket_lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(ARTIFACT_DAYS))],
            # Deleting the canary deletes the Lambda function and layer Synthetics created for it (not the run
            # log group /aws/lambda/cwsyn-<name>-<id>: scripts/canary_logs.py gives it a retention at deploy).
            provisioned_resource_cleanup=True,
            max_retries=MAX_RETRIES,
        )
        # Synthetics' bucket holds only run artifacts: public access blocked explicitly, whatever the account's
        # defaults (S3 blocks it on new buckets, but the template should say so).
        bucket = self.canary.artifacts_bucket.node.default_child
        assert isinstance(bucket, s3.CfnBucket)  # noqa: S101 (the L2 creates it: no artifacts_bucket_location given)
        bucket.public_access_block_configuration = s3.CfnBucket.PublicAccessBlockConfigurationProperty(
            block_public_acls=True, block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True
        )
        cdk.CfnOutput(cdk.Stack.of(self), OUTPUT_ARTIFACTS_BUCKET, value=self.canary.artifacts_bucket.bucket_name)
        if self.secret is not None:
            self.secret.grant_read(self.canary.role)
            cdk.CfnOutput(cdk.Stack.of(self), OUTPUT_SECRET, value=self.secret.secret_arn)
        _acknowledge(self.canary)


def _api_key_secret(scope: Construct) -> secretsmanager.Secret:
    # 64 characters of A-Z a-z 0-9: the edge function's key format (32-128 of [A-Za-z0-9_-]).
    secret = secretsmanager.Secret(
        scope,
        "ApiKey",
        description="The outside-in canary's API key (register it: scripts/api_keys.py add canary --from-secret)",
        generate_secret_string=secretsmanager.SecretStringGenerator(
            password_length=64, exclude_punctuation=True, include_space=False
        ),
    )
    Validations.of(secret).acknowledge(
        Acknowledgment(
            id="AwsSolutions-SMG4",
            reason="The edge accepts a key only once its hash is in the KeyValueStore (scripts/api_keys.py); "
            "an automatic rotation would lock the canary out until someone registers the new key. Rotate "
            "by hand: put a new value, register it, then revoke the old key id.",
        )
    )
    return secret


def _acknowledge(canary: synthetics.Canary) -> None:
    """cdk-nag findings on what the Synthetics L2 creates, with why each is as Synthetics needs it."""
    stack = cdk.Stack.of(canary)
    bucket = stack.resolve(stack.get_logical_id(canary.artifacts_bucket.node.default_child))  # type: ignore[arg-type]  # default_child of the L2 bucket is its CfnBucket
    run_logs = f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:/aws/lambda/cwsyn-*"
    Validations.of(canary).acknowledge(
        Acknowledgment(
            id="AwsSolutions-IAM5[Resource::*]",
            reason="Synthetics' documented canary permissions: s3:ListAllMyBuckets has no resource scope, nor "
            "has cloudwatch:PutMetricData (a condition limits it to the CloudWatchSynthetics namespace).",
        ),
        Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::<{bucket}.Arn>/*]",
            reason="The canary writes each run's artifacts under keys Synthetics chooses, in its own bucket only.",
        ),
        Acknowledgment(
            id=f"AwsSolutions-IAM5[Resource::{run_logs}]",
            reason="Synthetics names the run's log group after the Lambda function it creates at deploy "
            "(/aws/lambda/cwsyn-<canary name>-<id>): the id is unknown to the template.",
        ),
        Acknowledgment(
            id="AwsSolutions-S1",
            reason="The bucket holds only the canary's own run artifacts (its log and report), written by "
            "the canary's role and expired after 31 days; the runs themselves are in CloudWatch.",
        ),
    )
