"""Home-region stack: lets exactly one CloudFront distribution invoke the function through its URL.

AWS::Lambda::Permission must live in the function's region, and it needs the distribution's id, which
exists only after the us-east-1 edge stack. Putting the grant in its own stack, deployed last, keeps
the graph acyclic for any home region: Service -> Edge -> EdgeAccess.
"""

from __future__ import annotations

import re

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from settings.config import InfraConfig
from stacks.service_stack import NOT_RETIRING

CLOUDFRONT_PRINCIPAL = "cloudfront.amazonaws.com"
PARAMETER_RETIRING_FUNCTION_ARN = "RetiringFunctionArn"


class CloudFrontAccessStack(cdk.Stack):
    """Both permissions OAC needs; since Oct 2025 a new Function URL answers 403 if either is missing."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        function_arn: str,
        distribution_id: str,
        target_identity: str,
        **kwargs: object,
    ) -> None:
        """``function_arn`` and ``distribution_id`` are tokens read from the other stacks' outputs.

        ``function_arn`` is what the Function URL invokes: the function's ARN, or with SnapStart the
        alias's qualified ARN (``...:function:<name>:live``). A URL on an alias is authorised by the
        alias's policy, so both grants must name the qualified ARN.

        ``target_identity`` names that target (stacks/service_stack.url_target) and goes into the grants'
        logical ids: when the target changes, this template changes, so CloudFormation updates it and
        resolves the new ARN (an unchanged template is never updated, so Fn::GetStackOutput would keep the
        old one); the new grants are created before the old ones are deleted."""
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]  # kwargs are Stack's keywords, passed through
        self.config = config
        # Distributions are global: the ARN has no region, and the account is this deployment's.
        self.distribution_arn = f"arn:{cdk.Aws.PARTITION}:cloudfront::{self.account}:distribution/{distribution_id}"
        suffix = "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", target_identity) if part)
        self.invoke_url_permission, self.invoke_function_permission = self._grant(
            f"CloudFrontInvoke{{}}{suffix}", function_arn
        )
        # While the edge moves to a new target, the previous one keeps its grants (scripts/deploy_plan.py
        # passes its ARN, then "none" once the edge has moved): CloudFront is never refused on the way.
        retiring = cdk.CfnParameter(
            self,
            PARAMETER_RETIRING_FUNCTION_ARN,
            type="String",
            default=NOT_RETIRING,
            allowed_pattern=r"^(none|arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?)$",
            description="Set by scripts/deploy_plan.py while the edge moves: the previous URL target's ARN, "
            "whose grants stay until then. Leave 'none'.",
        )
        keep = cdk.CfnCondition(
            self, "KeepRetiringGrants", expression=cdk.Fn.condition_not(cdk.Fn.condition_equals(retiring, NOT_RETIRING))
        )
        for permission in self._grant("RetiringInvoke{}", retiring.value_as_string):
            permission.cfn_options.condition = keep

    def _grant(self, id_pattern: str, function_arn: str) -> tuple[lambda_.CfnPermission, lambda_.CfnPermission]:
        """Both grants on ``function_arn``, for this distribution only; ``id_pattern`` makes their ids."""
        invoke_url_permission = lambda_.CfnPermission(
            self,
            id_pattern.format("FunctionUrl"),
            action="lambda:InvokeFunctionUrl",
            principal=CLOUDFRONT_PRINCIPAL,
            function_name=function_arn,
            source_arn=self.distribution_arn,
            # Narrows the grant to the IAM-authenticated URL (adds the lambda:FunctionUrlAuthType condition).
            function_url_auth_type="AWS_IAM",
        )
        invoke_function_permission = lambda_.CfnPermission(
            self,
            id_pattern.format("Function"),
            action="lambda:InvokeFunction",
            principal=CLOUDFRONT_PRINCIPAL,
            function_name=function_arn,
            source_arn=self.distribution_arn,
            # Only through the URL: this grant does not let CloudFront call the Invoke API directly.
            invoked_via_function_url=True,
        )
        return invoke_url_permission, invoke_function_permission
