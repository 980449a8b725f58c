"""Home-region stack: the DynamoDB table, the one Lambda function and its IAM-protected Function URL.

The Function URL uses AuthType AWS_IAM, so only SigV4-signed requests get through; CloudFront signs
them with Origin Access Control. Who may sign is granted in CloudFrontAccessStack (after the distribution
exists), which keeps this stack free of any reference to the edge and so free of cycles.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import shutil
import tempfile
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_applicationsignals as applicationsignals
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from asset.bytecode import compile_package
from observability.queries import INDEXED_FIELDS
from service.contract import METRICS_NAMESPACE
from service.dal.tables import (
    DYNAMODB_OPERATIONS,
    IDEMPOTENCY_DYNAMODB_OPERATIONS,
    IDEMPOTENCY_TABLE_PARTITION_KEY,
    IDEMPOTENCY_TABLE_TTL_ATTRIBUTE,
    TABLE_PARTITION_KEY,
)
from service.environment import ENV_API_KEYS, ENV_CORS_ALLOWED_ORIGINS
from service.tracing import ENV_TRACING_MODE, OFF, OTEL, XRAY
from settings.config import SNAPSTART_ALIAS, InfraConfig
from settings.tracing_layer import APPLICATION_SIGNALS_POLICY, EXEC_WRAPPER, otel_layer_arn
from stacks.drills import FisExtension
from stacks.retention import retention_days

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVICE_DIR = REPO_ROOT / "service"
HANDLER = "service.handler.handler"

# The function gets its libraries from the Powertools public layer (it bundles aws-xray-sdk and pydantic;
# boto3 is in the runtime), pinned to the version the tests run against, so the asset is only service/.
POWERTOOLS_VERSION = importlib.metadata.version("aws-lambda-powertools")
RUNTIME = lambda_.Runtime.PYTHON_3_13
RUNTIME_PYTHON_VERSION = RUNTIME.name.removeprefix("python")  # "3.13": the asset's bytecode is for it
ARCHITECTURE = lambda_.Architecture.ARM_64
POWERTOOLS_LAYER_PARAMETER = f"/aws/service/powertools/python/arm64/{RUNTIME.name}/{POWERTOOLS_VERSION}"

# Least privilege: exactly what service/ calls on the table (the same list the monitoring reads).
TABLE_ACTIONS: tuple[str, ...] = tuple(f"dynamodb:{op}" for op in DYNAMODB_OPERATIONS)
# ...and exactly what Powertools' idempotency persistence layer calls on its own table.
IDEMPOTENCY_TABLE_ACTIONS: tuple[str, ...] = tuple(f"dynamodb:{op}" for op in IDEMPOTENCY_DYNAMODB_OPERATIONS)
# Outputs other stacks read (by name) with Fn::GetStackOutput.
OUTPUT_FUNCTION_ARN = "FunctionArn"
OUTPUT_URL_DOMAIN = "FunctionUrlDomain"
# Read by `make verify` (scripts/verify.py) to check every consumer points at these resources.
OUTPUT_FUNCTION_NAME = "FunctionName"
OUTPUT_TABLE_NAME = "TableName"
OUTPUT_LOG_GROUP_NAME = "LogGroupName"


def function_name(service_name: str) -> str:
    """The function's fixed physical name (unique per account and region, like service_name)."""
    return f"{service_name}-api"


# Moving the Function URL to another target (snap_start on or off) without an outage: the Service keeps the
# URL it retires while the edge moves (scripts/deploy_plan.py passes the deployed UrlTarget here, then
# "none" once the edge has moved). Allowed values: "none" and the one other target this template can keep.
PARAMETER_RETIRING_URL_TARGET = "RetiringUrlTarget"
OUTPUT_URL_TARGET = "UrlTarget"
NOT_RETIRING = "none"


def url_target(service_name: str, alias: str | None) -> str:
    """What the Function URL invokes, as a qualified function name: ``orders-api-api`` or ``orders-api-api:live``.

    It is the identity of the Service's FunctionArn and FunctionUrlDomain outputs: a consumer whose template
    does not change when it changes is never updated (Fn::GetStackOutput is resolved on update only), so each
    consumer writes it into its own template (the Edge's origin id, EdgeAccess's permission ids)."""
    name = function_name(service_name)
    return f"{name}:{alias}" if alias else name


# In service/ but not the function's code: the `python -m service.local` entry point of the local server.
NOT_IN_ASSET: frozenset[Path] = frozenset({SERVICE_DIR / "local.py"})


def _not_function_code(folder: str, names: list[str]) -> set[str]:
    """copytree's ignore: local bytecode, hidden files and NOT_IN_ASSET stay out of the asset (the asset's
    own bytecode is compiled after the copy, for the runtime's version)."""
    return {
        name
        for name in names
        if name == "__pycache__" or name.endswith(".pyc") or name.startswith(".") or Path(folder, name) in NOT_IN_ASSET
    }


def stage_service_asset(target: Path | None = None) -> Path:
    """Copy the function's code in service/ into a fresh folder whose only child is ``service``.

    The handler string ``service.handler.handler`` needs the ``service`` package at the asset root.
    Staging a copy, rather than pointing from_asset at the repo root with exclude globs, makes "only
    service code" true by construction and avoids fingerprinting .venv and node_modules on every synth.
    """
    if target is None:
        target = Path(tempfile.mkdtemp(prefix="service-asset-"))
        # synth copies the folder into the cloud assembly, so the staging copy can go at exit.
        atexit.register(shutil.rmtree, target, ignore_errors=True)
    shutil.copytree(SERVICE_DIR, target / "service", ignore=_not_function_code)
    # Bytecode compiled by the runtime's Python, so cold starts skip compiling service/ (asset/bytecode.py).
    compile_package(target / "service", RUNTIME_PYTHON_VERSION)
    return target


def edge_environment(config: InfraConfig) -> dict[str, str]:
    """What the function must know about the edge, from cdk.json only (absent when the option is off):
    the CORS origins it answers for (it is the one CORS owner), and that the edge checks API keys, the
    only case in which it may trust x-client-id."""
    env = {}
    if config.cors_allowed_origins:
        env[ENV_CORS_ALLOWED_ORIGINS] = ",".join(config.cors_allowed_origins)
    if config.api_keys:
        env[ENV_API_KEYS] = "true"
    return env


def tracing_environment(config: InfraConfig) -> dict[str, str]:
    """The function's variables for its tracing mode (none for xray, the default: its template is as before).

    otel, as the distro layer reads them (its otel-instrument script): the wrapper; the service name of
    logs and metrics; Application Signals off unless asked for (the layer's default is on); and, without
    it, the layer's fast start (a lighter SDK: spans to the X-Ray daemon, botocore instrumented and nothing
    else), which needs no distro, configurator or entry-point scan at init. Each variable is one the pinned
    release (settings/tracing_layer.py LAYER_RELEASE) reads: otel-instrument the first four and FAST_START, its
    lite SDK OTEL_PYTHON_DISABLED_INSTRUMENTATIONS (from its own botocore, requests, urllib3).
    """
    if config.tracing == XRAY:
        return {}
    if config.tracing == OFF:
        return {ENV_TRACING_MODE: OFF}
    env = {
        ENV_TRACING_MODE: OTEL,
        "AWS_LAMBDA_EXEC_WRAPPER": EXEC_WRAPPER,
        "OTEL_SERVICE_NAME": config.service_name,
        "OTEL_AWS_APPLICATION_SIGNALS_ENABLED": "true" if config.application_signals else "false",
    }
    if not config.application_signals:  # the fast path skips the distro, so it cannot emit the signals
        env |= {"OTEL_AWS_LAMBDA_FAST_START": "true", "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS": "requests,urllib3"}
    return env


class ServiceStack(cdk.Stack):
    """Table + function + Function URL. Exposes the handles the monitoring stacks need."""

    def __init__(self, scope: Construct, construct_id: str, *, config: InfraConfig, **kwargs: object) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]  # kwargs are Stack's keywords, passed through
        self.config = config
        self._tables(config)
        self._log_group(config, function_name(config.service_name))
        self._role(config)
        layers, drill_environment = self._layers(config)
        self._application_signals(config)
        self._function(config, function_name(config.service_name), layers, drill_environment)
        self._function_url(config)
        self._outputs()
        self._acknowledge_findings()

    def _tables(self, config: InfraConfig) -> None:
        """The orders table and the idempotency records' table."""
        self.table = dynamodb.Table(
            self,
            "Orders",
            partition_key=dynamodb.Attribute(name=TABLE_PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            # AWS managed key: encrypted at rest with KMS and auditable in CloudTrail, without a
            # customer key's policy and monthly cost; switch to CUSTOMER_MANAGED if you need key control.
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=cdk.RemovalPolicy.RETAIN if config.retain_table else cdk.RemovalPolicy.DESTROY,
            # No fixed table_name: a retained table (retain_table, the default) would block the next
            # deploy after `make destroy` with "already exists", and a table is replaced only by a key
            # schema change. If that ever happens, `make verify` names the alarms still reading the old one.
        )

        # Idempotency records (POST /orders with Idempotency-Key) in their own table: the orders table is
        # scanned by list and summary, which must never see them. DynamoDB's TTL deletes each record
        # after idempotency.IDEMPOTENCY_TTL_S (free, within about two days of expiry; Powertools also
        # treats an expired record as absent). Losing them only loses replays, so no PITR and
        # always DESTROY.
        self.idempotency_table = dynamodb.Table(
            self,
            "Idempotency",
            partition_key=dynamodb.Attribute(name=IDEMPOTENCY_TABLE_PARTITION_KEY, type=dynamodb.AttributeType.STRING),
            time_to_live_attribute=IDEMPOTENCY_TABLE_TTL_ATTRIBUTE,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )

    def _log_group(self, config: InfraConfig, name: str) -> None:
        """The function's log group, created before the function so its retention and deletion are ours."""
        # Explicit log group: retention is ours (not "never expire") and it is deleted with the stack.
        # Fixed names for the function and its log group: CloudFormation cannot replace a resource with
        # a fixed name (the new one would collide with the old), so a change that would silently swap
        # in a new function (and strand the alarms, dashboard, saved queries and CloudFront's invoke
        # permissions on the old one) fails the deploy instead; everything else updates in place. Both
        # are deleted with the stack, so destroy + deploy reuses the names cleanly.
        self.log_group = logs.LogGroup(
            self,
            "FunctionLogs",
            log_group_name=f"/aws/lambda/{name}",  # the name Lambda itself would pick
            retention=retention_days(config.log_retention_days),
            removal_policy=cdk.RemovalPolicy.DESTROY,
            # The fields the saved queries look one request up by (`filter field = "value"`): an indexed
            # field lets Logs Insights skip events that cannot match, so those queries scan (and cost) less.
            field_index_policies=[logs.FieldIndexPolicy(fields=list(INDEXED_FIELDS))],
        )

    def _role(self, config: InfraConfig) -> None:
        # Own role instead of AWSLambdaBasicExecutionRole: logs are written to this one log group only.
        self.role = iam.Role(
            self,
            "FunctionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{config.service_name}: write own logs, X-Ray traces, and CRUD+Scan on the orders table",
        )
        self.log_group.grant_write(self.role)
        self.table.grant(self.role, *TABLE_ACTIONS)
        self.idempotency_table.grant(self.role, *IDEMPOTENCY_TABLE_ACTIONS)

    def _layers(self, config: InfraConfig) -> tuple[list[lambda_.ILayerVersion], dict[str, str]]:
        """Powertools, the tracing backend's layer, and with drills the FIS extension (and its environment)."""
        layer = lambda_.LayerVersion.from_layer_version_arn(
            self,
            "PowertoolsLayer",
            # Resolved by CloudFormation at deploy time in the home region: no lookup at synth.
            ssm.StringParameter.value_for_string_parameter(self, POWERTOOLS_LAYER_PARAMETER),
        )
        layers: list[lambda_.ILayerVersion] = [layer]
        if config.tracing == OTEL:  # the SDK comes with AWS's layer, never in the asset
            layers.append(
                lambda_.LayerVersion.from_layer_version_arn(
                    self, "OpenTelemetryLayer", otel_layer_arn(config.home_region)
                )
            )
        drill_environment: dict[str, str] = {}
        if config.drills:  # the FIS extension and its fault bucket (stacks/drills.py); never with otel (config)
            extension = FisExtension(self, "Drills", role=self.role, architecture="arm64")
            layers.append(extension.layer)
            drill_environment = extension.environment
        return layers, drill_environment

    def _application_signals(self, config: InfraConfig) -> None:
        if config.application_signals:
            if config.application_signals_discovery:
                # Application Signals processes spans only where it is enabled (its service-linked role):
                # once per account and region, which this resource does (a second one fails to create).
                applicationsignals.CfnDiscovery(self, "ApplicationSignalsDiscovery")
            self.role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(APPLICATION_SIGNALS_POLICY))
            cdk.Validations.of(self.role).acknowledge(
                cdk.Acknowledgment(
                    id=f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{APPLICATION_SIGNALS_POLICY}]",
                    reason="Application Signals' own policy for Lambda (asked for with application_signals): "
                    "AWS maintains what its span and metric delivery needs.",
                )
            )

    def _function(
        self, config: InfraConfig, name: str, layers: list[lambda_.ILayerVersion], drill_environment: dict[str, str]
    ) -> None:
        self.function = lambda_.Function(
            self,
            "Api",
            function_name=name,
            description=f"{config.service_name}: the whole HTTP API behind CloudFront",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=HANDLER,
            code=lambda_.Code.from_asset(str(stage_service_asset())),
            layers=layers,
            role=self.role,
            memory_size=config.memory_mb,
            timeout=cdk.Duration.seconds(config.timeout_seconds),
            reserved_concurrent_executions=config.reserved_concurrency,
            # Active: Lambda runs the X-Ray daemon both backends send to. off: no TracingConfig (Lambda's default,
            # PassThrough: it only forwards a caller's trace header) and so no X-Ray grants on the role.
            tracing=lambda_.Tracing.DISABLED if config.tracing == OFF else lambda_.Tracing.ACTIVE,
            # SnapStart snapshots published versions only: the URL then sits on an alias (below).
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if config.snap_start else None,
            # CDK keeps replaced versions by default; with SnapStart each one keeps its snapshot cached
            # (and billed). The alias moves to the new version first, then the old one is deleted.
            # (Also the version a retiring alias keeps serving while the edge moves off it: see below.)
            current_version_options=lambda_.VersionOptions(removal_policy=cdk.RemovalPolicy.DESTROY),
            log_group=self.log_group,
            environment={
                "TABLE_NAME": self.table.table_name,
                "IDEMPOTENCY_TABLE_NAME": self.idempotency_table.table_name,
                "POWERTOOLS_SERVICE_NAME": config.service_name,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": "INFO",
                **edge_environment(config),
                **tracing_environment(config),
                **drill_environment,
            },
        )

    def _function_url(self, config: InfraConfig) -> None:
        # What the Function URL invokes: the function itself, or with SnapStart an alias of the version
        # published from this code (current_version: a new version whenever code or configuration
        # changes, and Lambda takes its snapshot when it is published).
        #
        # Switching snap_start moves the URL to the other target, a new URL. The one retired stays in this
        # template under a condition while the edge moves (RetiringUrlTarget, set by scripts/deploy_plan.py),
        # with the same logical id as when it served, so CloudFormation leaves it untouched until then.
        self.target_identity = url_target(config.service_name, config.function_alias)
        other = url_target(config.service_name, None if config.function_alias else SNAPSTART_ALIAS)
        retiring = cdk.CfnParameter(
            self,
            PARAMETER_RETIRING_URL_TARGET,
            type="String",
            default=NOT_RETIRING,
            allowed_values=[NOT_RETIRING, other],
            description="Set by scripts/deploy_plan.py while the edge moves to this template's URL: the "
            "previous URL target, kept serving until then. Leave 'none'.",
        )
        keep_other = cdk.CfnCondition(self, "KeepRetiringUrl", expression=cdk.Fn.condition_equals(retiring, other))
        self.alias: lambda_.Alias | None = None
        self.url_target: lambda_.IFunction
        alias = lambda_.Alias(
            self,
            "LiveAlias",
            alias_name=SNAPSTART_ALIAS,
            version=self.function.current_version,
        )
        alias_url = alias.add_function_url(
            auth_type=lambda_.FunctionUrlAuthType.AWS_IAM, invoke_mode=lambda_.InvokeMode.BUFFERED
        )
        function_url = self.function.add_function_url(
            auth_type=lambda_.FunctionUrlAuthType.AWS_IAM, invoke_mode=lambda_.InvokeMode.BUFFERED
        )
        if config.function_alias:
            self.alias, self.url_target, self.function_url = alias, alias, alias_url
            _only_if(keep_other, function_url)
            cdk.Annotations.of(self.function).acknowledge_warning(
                "@aws-cdk/aws-lambda:snapStartRequirePublish",
                "current_version publishes a version (snapshotted) and the alias the URL invokes points at it.",
            )
        else:
            self.url_target, self.function_url = self.function, function_url
            _only_if(keep_other, alias, alias_url, self.function.current_version)

    def _outputs(self) -> None:
        # Read by the other stacks with Fn::GetStackOutput (works across regions, no custom resources).
        # The domain is computed here so consumers get a plain string, not Fn::Split over a GetStackOutput.
        # The ARN CloudFront's permissions must name: what the URL invokes (the alias's qualified ARN).
        # Each description names the target (its identity): a changed target is a changed output, which
        # scripts/deploy_plan.py compares with the deployed one.
        cdk.CfnOutput(
            self,
            OUTPUT_FUNCTION_ARN,
            value=self.url_target.function_arn,
            description=f"What the Function URL invokes: {self.target_identity}",
        )
        cdk.CfnOutput(
            self,
            OUTPUT_URL_DOMAIN,
            value=cdk.Fn.select(2, cdk.Fn.split("/", self.function_url.url)),
            description=f"The Function URL of {self.target_identity}",
        )
        cdk.CfnOutput(self, OUTPUT_URL_TARGET, value=self.target_identity, description="What the Function URL invokes")
        cdk.CfnOutput(self, OUTPUT_FUNCTION_NAME, value=self.function.function_name)
        cdk.CfnOutput(self, OUTPUT_TABLE_NAME, value=self.table.table_name)
        cdk.CfnOutput(self, OUTPUT_LOG_GROUP_NAME, value=self.log_group.log_group_name)
        cdk.CfnOutput(self, "IdempotencyTableName", value=self.idempotency_table.table_name)
        cdk.CfnOutput(self, "FunctionUrl", value=self.function_url.url, description="Refuses unsigned calls (AWS_IAM)")

    def _acknowledge_findings(self) -> None:
        """cdk-nag findings that are deliberate, each with why."""
        cdk.Validations.of(self.role).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="Only xray:PutTraceSegments/PutTelemetryRecords use Resource '*': X-Ray has no "
                "resource-level permissions for them. Logs and DynamoDB actions are scoped to one ARN each.",
            )
        )
        cdk.Validations.of(self.idempotency_table).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-DDB3",
                reason="Idempotency records live 24 h and only enable replays of retried POSTs; losing them "
                "is harmless, so point-in-time recovery would cost without protecting anything.",
            )
        )
        cdk.Validations.of(self.function).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-L1",
                reason="python3.13 is deliberate: the Powertools public layer pinned here is published "
                "per runtime and tested on python3.13; move runtime and layer together.",
            )
        )


def _only_if(condition: cdk.CfnCondition, *constructs: Construct) -> None:
    """Put each construct's CloudFormation resource under ``condition``."""
    for construct in constructs:
        resource = construct.node.default_child
        assert isinstance(resource, cdk.CfnResource)  # noqa: S101 (an L2's own resource)
        resource.cfn_options.condition = condition
