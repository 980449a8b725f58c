"""Fire drills (config ``drills``, off by default): the AWS FIS Lambda extension on the function, and a stack
with one FIS experiment template per drillable failure-mode row (observability/drills.py says which rows
and with what fault), the experiments' role and the runner's policy. scripts/drill.py runs them.

AWS FIS user guide, "Use the aws:lambda:function actions": the extension is a layer whose ARN is the public
SSM parameter /aws/service/fis/lambda-extension/AWS-FIS-extension-<arch>/1.x.x; it runs as the function's
AWS_LAMBDA_EXEC_WRAPPER (/opt/aws-fis/bootstrap) and polls AWS_FIS_CONFIGURATION_LOCATION (an S3 ARN with a
prefix) where FIS writes the active fault while an experiment runs. The function may only read that prefix;
the experiment role may only write it and read this one function.
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_fis as fis
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_ssm as ssm
from constructs import Construct, IConstruct

from observability.drills import (
    DRILLS,
    GUARD_ALARM,
    TAG_DRILL,
    TAG_SERVICE,
    DrillPlan,
    alarm_facts,
    mute_rule_prefix,
    plan_drill,
)
from observability.plan import Plan
from settings.config import InfraConfig

EXEC_WRAPPER = "/opt/aws-fis/bootstrap"
CONFIG_PREFIX = "FisConfigs/"
# The extension for the function's architecture (stacks/service_stack.py ARCHITECTURE is arm64).
LAYER_PARAMETER = "/aws/service/fis/lambda-extension/AWS-FIS-extension-{arch}/1.x.x"
# With preventExecution, FIS recommends letting an in-flight poll finish before the invocation is judged
# (AWS_FIS_POLL_MAX_WAIT_MILLISECONDS, default 0): our handler runs for less than a poll takes (~70 ms),
# so without it a fault could wait several invocations to apply. Costs up to this much on an invocation
# that overlaps a poll, only in a drills stage.
POLL_MAX_WAIT_MS = 2000
OUTPUT_CONFIG_BUCKET = "FisConfigBucket"


def _nag_text(stack: cdk.Stack, value: str) -> str:
    """A resource as cdk-nag names it in a finding's id: Fn::Join flattened, Ref as <Id>, Fn::GetAtt as
    <Id.Attr>, any other intrinsic as its JSON."""

    def part(v: Any) -> str:
        if isinstance(v, str):
            return v
        if isinstance(v, dict) and "Fn::Join" in v:
            sep, items = v["Fn::Join"]
            return sep.join(part(i) for i in items)
        if isinstance(v, dict) and "Ref" in v:
            return f"<{v['Ref']}>"
        if isinstance(v, dict) and "Fn::GetAtt" in v:
            return "<" + ".".join(v["Fn::GetAtt"]) + ">"
        return json.dumps(v, separators=(",", ":"))

    return part(stack.resolve(value))


def acknowledge_wildcards(construct: IConstruct, reasons: dict[str, str]) -> None:
    """AwsSolutions-IAM5 acknowledgments, one per wildcard resource (resource -> reason)."""
    stack = cdk.Stack.of(construct)
    for resource, reason in reasons.items():
        cdk.Validations.of(construct).acknowledge(
            cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{_nag_text(stack, resource)}]", reason=reason)
        )


class FisExtension(Construct):
    """On the function's side: the configuration bucket, the layer, the variables and the read grant."""

    def __init__(self, scope: Construct, construct_id: str, *, role: iam.IRole, architecture: str) -> None:
        super().__init__(scope, construct_id)
        self.bucket = s3.Bucket(
            self,
            "ConfigBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            # FIS deletes a fault's object when its action ends; a day catches what an aborted run leaves.
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(1))],
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        cdk.Validations.of(self.bucket).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-S1",
                reason="Holds only the fault configuration FIS writes during a drill and the FIS extension "
                "reads: every write is an experiment, recorded by FIS itself; access logs add nothing.",
            )
        )
        self.layer = lambda_.LayerVersion.from_layer_version_arn(
            self,
            "Layer",
            # Resolved by CloudFormation at deploy time in the home region: no lookup at synth.
            ssm.StringParameter.value_for_string_parameter(self, LAYER_PARAMETER.format(arch=architecture)),
        )
        self.environment = {
            "AWS_LAMBDA_EXEC_WRAPPER": EXEC_WRAPPER,
            "AWS_FIS_CONFIGURATION_LOCATION": self.bucket.arn_for_objects(CONFIG_PREFIX),
            "AWS_FIS_POLL_MAX_WAIT_MILLISECONDS": str(POLL_MAX_WAIT_MS),
        }
        # The FIS user guide's read policy: list the prefix, read its objects; nothing else of the bucket.
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[self.bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{CONFIG_PREFIX}*"]}},
            )
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[self.bucket.arn_for_objects(f"{CONFIG_PREFIX}*")])
        )
        acknowledge_wildcards(
            role,
            {
                self.bucket.arn_for_objects(f"{CONFIG_PREFIX}*"): "The FIS extension reads whichever fault "
                "configuration object FIS wrote under its prefix: read-only, that prefix of the drills bucket only."
            },
        )
        cdk.CfnOutput(scope, OUTPUT_CONFIG_BUCKET, value=self.bucket.bucket_name)


def drill_plans(plan: Plan, config: InfraConfig) -> list[DrillPlan]:
    """Every drill for this configuration (its alarms, its function timeout)."""
    facts = alarm_facts(plan.alarms)
    return [plan_drill(d.row, facts, timeout_s=config.timeout_seconds) for d in DRILLS]


class DrillsStack(cdk.Stack):
    """Home region: the experiment role, one experiment template per drill, and the runner's policy.

    The function and every alarm have fixed names, so their ARNs are built here; the configuration
    bucket's name comes from the Service stack's output (Fn::GetStackOutput, like every other stack).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        plan: Plan,
        function_name: str,
        config_bucket_name: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        cfg = plan.cfg
        function_arn = self.format_arn(
            service="lambda",
            resource="function",
            resource_name=function_name,
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        bucket = s3.Bucket.from_bucket_name(self, "ConfigBucket", config_bucket_name)
        guard_arn = self._alarm_arn(self.region, cfg.alarm_name(GUARD_ALARM))

        self.role = iam.Role(
            self,
            "ExperimentRole",
            assumed_by=iam.ServicePrincipal(
                "fis.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": self.account}}
            ),
            description=f"{cfg.service_name}: FIS drills write fault configurations for {function_name}",
        )
        # What the Lambda actions need (FIS actions reference), each on the one resource it touches.
        faults = bucket.arn_for_objects(f"{CONFIG_PREFIX}*")
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["s3:PutObject", "s3:DeleteObject"], resources=[faults])
        )
        self.role.add_to_principal_policy(iam.PolicyStatement(actions=["lambda:GetFunction"], resources=[function_arn]))
        self.role.add_to_principal_policy(iam.PolicyStatement(actions=["tag:GetResources"], resources=["*"]))
        cdk.Validations.of(self.role).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="tag:GetResources has no resource-level permissions; FIS lists it for every Lambda "
                "action. S3 writes stay on the fault prefix and lambda:GetFunction on the one function.",
            )
        )
        acknowledge_wildcards(
            self.role,
            {
                faults: "FIS names each fault configuration object itself under the prefix the extension polls: "
                "the experiment may write and delete objects there and nowhere else in the bucket."
            },
        )

        self.templates: dict[str, fis.CfnExperimentTemplate] = {}
        for drill in drill_plans(plan, config):
            self.templates[drill.row] = self._template(drill, function_arn, guard_arn, cfg.service_name)
            cdk.CfnOutput(self, f"Template{drill.row.upper()}", value=self.templates[drill.row].attr_id)

        self.runner_policy = self._runner_policy(plan, config)

    def _alarm_arn(self, region: str, name: str) -> str:
        return f"arn:{self.partition}:cloudwatch:{region}:{self.account}:alarm:{name}"

    def _template(
        self, drill: DrillPlan, function_arn: str, guard_arn: str, service_name: str
    ) -> fis.CfnExperimentTemplate:
        action = drill.action
        return fis.CfnExperimentTemplate(
            self,
            f"Drill-{drill.row}",
            description=f"{service_name} drill, row {drill.row}: {drill.mode.title} ({drill.drill.how})"[:512],
            role_arn=self.role.role_arn,
            stop_conditions=[
                fis.CfnExperimentTemplate.ExperimentTemplateStopConditionProperty(
                    source="aws:cloudwatch:alarm", value=guard_arn
                )
            ],
            targets={
                "Function": fis.CfnExperimentTemplate.ExperimentTemplateTargetProperty(
                    resource_type="aws:lambda:function", resource_arns=[function_arn], selection_mode="ALL"
                )
            },
            actions={
                "Fault": fis.CfnExperimentTemplate.ExperimentTemplateActionProperty(
                    action_id=action["actionId"], parameters=action["parameters"], targets={"Functions": "Function"}
                )
            },
            experiment_options=fis.CfnExperimentTemplate.ExperimentTemplateExperimentOptionsProperty(
                account_targeting="single-account", empty_target_resolution_mode="fail"
            ),
            tags={TAG_SERVICE: service_name, TAG_DRILL: drill.row},
        )

    def _runner_policy(self, plan: Plan, config: InfraConfig) -> iam.ManagedPolicy:
        """What `make drill` needs, for the person or CI role that runs it (attach it; nothing else)."""
        cfg = plan.cfg
        regions = sorted({self.region, config.edge_region})
        alarms = [self._alarm_arn(r, f"{cfg.service_name}-*") for r in regions]
        mute_rules = [
            f"arn:{self.partition}:cloudwatch:{r}:{self.account}:alarm-mute-rule:{mute_rule_prefix(cfg.service_name)}*"
            for r in regions
        ]
        templates = [
            self.format_arn(service="fis", resource="experiment-template", resource_name=t.attr_id)
            for t in self.templates.values()
        ]
        experiments = self.format_arn(service="fis", resource="experiment", resource_name="*")
        policy = iam.ManagedPolicy(
            self,
            "RunnerPolicy",
            description=f"{cfg.service_name}: run the fire drills (make drill) and nothing else",
            statements=[
                iam.PolicyStatement(actions=["fis:StartExperiment"], resources=[*templates, experiments]),
                iam.PolicyStatement(actions=["fis:GetExperiment", "fis:StopExperiment"], resources=[experiments]),
                iam.PolicyStatement(actions=["fis:ListExperimentTemplates"], resources=["*"]),
                iam.PolicyStatement(actions=["cloudwatch:DescribeAlarmHistory"], resources=alarms),
                # A mute rule needs the permission on the rule and on every alarm it targets (PutAlarmMuteRule).
                iam.PolicyStatement(
                    actions=[
                        "cloudwatch:PutAlarmMuteRule",
                        "cloudwatch:GetAlarmMuteRule",
                        "cloudwatch:DeleteAlarmMuteRule",
                    ],
                    resources=[*mute_rules, *alarms],
                ),
            ],
        )
        cdk.Validations.of(policy).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="fis:ListExperimentTemplates has no resource-level permissions: the runner finds a "
                "row's template by its tags. Every other statement names this service's templates, "
                "experiments, alarms and drill mute rules.",
            )
        )
        acknowledge_wildcards(
            policy,
            {
                experiments: "An experiment's id exists only once the runner starts it: the runner may read and "
                "stop experiments, and start one only from this service's templates.",
                **{
                    a: "The runner reads the history of this service's alarms (every name starts with the service "
                    f"name) in {r}, where a drill's alarms may fire, and mutes only those it expects."
                    for r, a in zip(regions, alarms, strict=True)
                },
                **{
                    m: f"The runner names each drill's mute rule after the service and the row ({r}); it may "
                    "create, read and delete those and no other mute rule."
                    for r, m in zip(regions, mute_rules, strict=True)
                },
            },
        )
        return policy
