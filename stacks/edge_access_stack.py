"""Home-region stack: lets exactly one CloudFront distribution invoke the function through its URL.

AWS::Lambda::Permission must live in the function's region, and it needs the distribution's id, which
exists only after the us-east-1 edge stack. Putting the grant in its own stack, deployed last, keeps
the graph acyclic for any home region: Service -> Edge -> EdgeAccess.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.config import InfraConfig

CLOUDFRONT_PRINCIPAL = "cloudfront.amazonaws.com"


class EdgeAccessStack(cdk.Stack):
    """Both permissions OAC needs; since Oct 2025 a new Function URL answers 403 if either is missing."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        function_arn: str,
        distribution_id: str,
        **kwargs: object,
    ) -> None:
        """``function_arn`` and ``distribution_id`` are tokens read from the other stacks' outputs.

        ``function_arn`` is what the Function URL invokes: the function's ARN, or with SnapStart the
        alias's qualified ARN (``...:function:<name>:live``). A URL on an alias is authorised by the
        alias's policy, so both grants must name the qualified ARN."""
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]  # kwargs are Stack's keywords, passed through
        self.config = config
        # Distributions are global: the ARN has no region, and the account is this deployment's.
        self.distribution_arn = f"arn:{cdk.Aws.PARTITION}:cloudfront::{self.account}:distribution/{distribution_id}"
        self.invoke_url_permission = lambda_.CfnPermission(
            self,
            "CloudFrontInvokeFunctionUrl",
            action="lambda:InvokeFunctionUrl",
            principal=CLOUDFRONT_PRINCIPAL,
            function_name=function_arn,
            source_arn=self.distribution_arn,
            # Narrows the grant to the IAM-authenticated URL (adds the lambda:FunctionUrlAuthType condition).
            function_url_auth_type="AWS_IAM",
        )
        self.invoke_function_permission = lambda_.CfnPermission(
            self,
            "CloudFrontInvokeFunction",
            action="lambda:InvokeFunction",
            principal=CLOUDFRONT_PRINCIPAL,
            function_name=function_arn,
            source_arn=self.distribution_arn,
            # Only through the URL: this grant does not let CloudFront call the Invoke API directly.
            invoked_via_function_url=True,
        )
