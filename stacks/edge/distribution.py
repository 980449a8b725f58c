"""The CloudFront distribution: the Function URL origin signed with Origin Access Control (SigV4),
the default behaviour (no caching), the WAF web ACL, the custom domain when configured.

`FunctionUrlOrigin.with_origin_access_control` (aws-cdk-lib 2.275) creates, inside the distribution:
an AWS::CloudFront::OriginAccessControl (type lambda, sign always, SigV4) and two AWS::Lambda::Permission
(lambda:InvokeFunctionUrl and lambda:InvokeFunction with InvokedViaFunctionUrl, SourceArn = this
distribution). Permissions must be created in the function's region (the edge stack is in us-east-1),
so they are removed here and CloudFrontAccessStack grants the same two in the home region.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_

from settings.config import PRICE_CLASSES, InfraConfig


def viewer_protocol_policy(config: InfraConfig) -> cloudfront.ViewerProtocolPolicy:
    """config.viewer_protocol for every behaviour, the default and each cached route's: https-only by
    default, since a client following a redirected POST may resend it as a GET without its body."""
    return cloudfront.ViewerProtocolPolicy[config.viewer_protocol.upper().replace("-", "_")]


def origin_id(target_identity: str) -> str:
    """The API origin's id: ``FunctionUrl-orders-api-api`` or ``FunctionUrl-orders-api-api-live``."""
    return "FunctionUrl-" + target_identity.replace(":", "-")


class Distribution:
    """The distribution (``distribution``) and its origin (``origin``, shared by every behaviour)."""

    def __init__(
        self,
        stack: cdk.Stack,
        config: InfraConfig,
        *,
        function_url: lambda_.IFunctionUrl,
        target_identity: str,
        web_acl_arn: str,
        function_associations: list[cloudfront.FunctionAssociation] | None,
        geo_acknowledgment: str,
    ) -> None:
        cfg = config
        self.origin = origins.FunctionUrlOrigin.with_origin_access_control(
            function_url,
            # Names what the URL invokes (stacks/service_stack.url_target): when that changes, so does this
            # template, and CloudFormation updates the distribution and resolves the new URL's domain (an
            # unchanged template is never updated, and Fn::GetStackOutput is resolved only on update).
            origin_id=origin_id(target_identity),
            # Longer than the Lambda timeout (config enforces it), so the function answers, not a 504.
            read_timeout=cdk.Duration.seconds(cfg.origin_read_timeout_seconds),
        )
        custom_domain: dict[str, object] = {}
        if cfg.domain_name and cfg.certificate_arn:
            custom_domain = {
                "domain_names": [cfg.domain_name],
                "certificate": acm.Certificate.from_certificate_arn(stack, "Certificate", cfg.certificate_arn),
                "minimum_protocol_version": cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            }
        self.distribution = cloudfront.Distribution(
            stack,
            "Distribution",
            comment=f"{cfg.service_name} API ({cfg.home_region})",
            default_behavior=cloudfront.BehaviorOptions(
                origin=self.origin,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                viewer_protocol_policy=viewer_protocol_policy(cfg),
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                # Everything the viewer sent except Host: the Function URL routes on its own host name.
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
                compress=True,
                function_associations=function_associations,
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass[PRICE_CLASSES[cfg.price_class]],
            web_acl_id=web_acl_arn,
            **custom_domain,  # type: ignore[arg-type]  # the custom domain's keywords (domain_names, certificate) or none
        )

        suppressions = [
            cdk.Acknowledgment(id="AwsSolutions-CFR1", reason=geo_acknowledgment),
            cdk.Acknowledgment(
                id="AwsSolutions-CFR3",
                reason="Access logging is on: standard logging v2 (AWS::Logs::DeliverySource ACCESS_LOGS -> "
                "Delivery -> DeliveryDestination) writes every request to the EdgeAccessLogs log group. The rule "
                "only recognises the legacy S3 Logging property of the distribution, which this does not use.",
            ),
        ]
        if not custom_domain:
            suppressions.append(
                cdk.Acknowledgment(
                    id="AwsSolutions-CFR4",
                    reason="Without a custom domain the *.cloudfront.net certificate fixes the minimum at TLSv1; "
                    "set domain_name + certificate_arn to get TLSv1.2_2021.",
                )
            )
        cdk.Validations.of(self.distribution).acknowledge(*suppressions)

    def drop_cross_region_permissions(self) -> None:
        """Remove the Lambda permissions the OAC origin added here; CloudFrontAccessStack creates them at home.
        Called once every behaviour is added."""
        for construct in self.distribution.node.find_all():
            if isinstance(construct, cdk.CfnResource) and construct.cfn_resource_type == "AWS::Lambda::Permission":
                parent = construct.node.scope
                if parent is None or not parent.node.try_remove_child(construct.node.id):
                    raise RuntimeError(f"could not remove {construct.node.path}")

    def use_origin_domain(self, function_url_domain: str) -> None:
        """The origin renders its host as Fn::Select/Fn::Split over the URL, a direct reference into the home
        stack. Use the domain the home stack publishes instead (Fn::GetStackOutput cannot sit inside
        Fn::Split); this also removes the only implicit cross-stack reference from the edge template."""
        cfn_distribution = self.distribution.node.default_child
        assert isinstance(cfn_distribution, cloudfront.CfnDistribution)  # noqa: S101 (L2 always has one)
        cfn_distribution.add_property_override("DistributionConfig.Origins.0.DomainName", function_url_domain)
