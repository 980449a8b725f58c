"""Builds the whole CDK app from a validated config; app.py and the tests both call build_app()."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from observability.plan import plan
from service.catalogue import ROUTES, RouteSpec, check_catalogue
from settings.config import InfraConfig
from stacks.cloudfront_access_stack import CloudFrontAccessStack
from stacks.drills import OUTPUT_CONFIG_BUCKET, DrillsStack
from stacks.edge.stack import OUTPUT_DISTRIBUTION_ID, EdgeStack
from stacks.monitoring.stacks import EdgeMonitoringStack, MonitoringStack
from stacks.service_stack import OUTPUT_FUNCTION_ARN, OUTPUT_URL_DOMAIN, ServiceStack, function_name


@dataclass(frozen=True)
class AppStacks:
    """The stacks and what the monitoring layer wires onto them."""

    routes: tuple[RouteSpec, ...]
    service: ServiceStack  # home region: function, table, log_group, reserved_concurrency
    edge: EdgeStack  # us-east-1: distribution, web_acl, waf_log_group, cloudfront_access_log_group
    edge_access: CloudFrontAccessStack  # home region: CloudFront's invoke permissions
    monitoring: MonitoringStack  # home region: dashboard, saved queries, service and route alarms
    edge_monitoring: EdgeMonitoringStack  # us-east-1: CloudFront and WAF alarms, WAF and edge-log queries, canary
    drills: DrillsStack | None = None  # home region, with config `drills`: the fault experiments


def build_app(
    app: cdk.App,
    config: InfraConfig,
    routes: Sequence[RouteSpec] = ROUTES,
) -> AppStacks:
    """Create Service (home) -> Edge (us-east-1) -> EdgeAccess + Monitoring (home), EdgeMonitoring
    (us-east-1), and the cdk-nag checks.

    Every stack has an explicit env because the edge must be in us-east-1. Values cross stacks only
    through named outputs read with Fn::GetStackOutput (which CloudFormation resolves across regions):
    no exports that block updates, no SSM/custom-resource plumbing, and the same templates whether the
    home region is us-east-1 or not. Deploy order comes from the explicit dependencies below.
    """
    # ROUTES is checked at import; a route set passed in (a fork's catalogue, the scale tests) here.
    check_catalogue(tuple(routes))
    home = cdk.Environment(account=config.account, region=config.home_region)
    edge_env = cdk.Environment(account=config.account, region=config.edge_region)
    tags = {"service": config.service_name}

    service = ServiceStack(
        app,
        f"{config.prefix}-Service",
        config=config,
        env=home,
        description=f"{config.service_name}: table, function and IAM-protected Function URL",
    )
    edge = EdgeStack(
        app,
        f"{config.prefix}-Edge",
        config=config,
        function_url=service.function_url,
        function_url_domain=cdk.Fn.get_stack_output(service.stack_name, OUTPUT_URL_DOMAIN, config.home_region),
        target_identity=service.target_identity,
        routes=tuple(routes),
        env=edge_env,
        description=f"{config.service_name}: CloudFront (OAC) and WAF, us-east-1",
    )
    edge_access = CloudFrontAccessStack(
        app,
        f"{config.prefix}-EdgeAccess",  # the deployed stack name (and construct id) stays
        config=config,
        function_arn=cdk.Fn.get_stack_output(service.stack_name, OUTPUT_FUNCTION_ARN, config.home_region),
        distribution_id=cdk.Fn.get_stack_output(edge.stack_name, OUTPUT_DISTRIBUTION_ID, config.edge_region),
        target_identity=service.target_identity,
        env=home,
        description=f"{config.service_name}: CloudFront may invoke the function URL",
    )
    # Observability: what is monitored is declared in observability/ (one plan for both regions);
    # alarms live in their metric's region, so CloudFront/WAF alarms go to us-east-1. The dashboard
    # (home) reads the distribution id through the edge stack's output, like EdgeAccess.
    monitored = plan(config.monitoring, routes, config.reserved_concurrency)
    monitoring = MonitoringStack(
        app,
        f"{config.prefix}-Monitoring",
        plan=monitored,
        function=service.function,
        table=service.table,
        log_group=service.log_group,
        distribution_id=cdk.Fn.get_stack_output(edge.stack_name, OUTPUT_DISTRIBUTION_ID, config.edge_region),
        web_acl_metric_name=edge.web_acl_metric_name,
        cloudfront_access_log_group_name=edge.cloudfront_access_log_group_name,
        alarm_email=config.alarm_email,
        ticket_email=config.ticket_email,
        env=home,
        description=f"{config.service_name}: dashboard, saved queries and alarms",
    )
    edge_monitoring = EdgeMonitoringStack(
        app,
        f"{config.prefix}-EdgeMonitoring",
        plan=monitored,
        distribution_id=edge.distribution.distribution_id,
        web_acl_metric_name=edge.web_acl_metric_name,
        waf_log_group=edge.waf_log_group,
        cloudfront_access_log_group=edge.cloudfront_access_log_group,
        alarm_email=config.alarm_email,
        ticket_email=config.ticket_email,
        api_url=f"https://{config.domain_name or edge.distribution.domain_name}",
        api_keys=config.api_keys,
        env=edge_env,
        description=f"{config.service_name}: CloudFront and WAF alarms and the outside-in canary, us-east-1",
    )
    monitoring.add_stack_dependency(service, "watches the function, table and log group")
    monitoring.add_stack_dependency(edge, "reads the distribution id from its outputs")
    edge_monitoring.add_stack_dependency(edge, "watches the distribution and web ACL")
    edge.add_stack_dependency(service, "reads the Function URL domain from its outputs")
    edge_access.add_stack_dependency(service, "reads the function ARN from its outputs")
    edge_access.add_stack_dependency(edge, "reads the distribution id from its outputs")
    drills = None
    if config.drills:
        drills = DrillsStack(
            app,
            f"{config.prefix}-Drills",
            config=config,
            plan=monitored,
            function_name=function_name(config.service_name),
            config_bucket_name=cdk.Fn.get_stack_output(service.stack_name, OUTPUT_CONFIG_BUCKET, config.home_region),
            env=home,
            description=f"{config.service_name}: fire drills (FIS experiments per failure-mode row)",
        )
        drills.add_stack_dependency(service, "reads the fault bucket from its outputs")
        drills.add_stack_dependency(monitoring, "its stop condition is a Monitoring alarm")
    for stack in (service, edge, edge_access, monitoring, edge_monitoring, *([drills] if drills else [])):
        for key, value in tags.items():
            cdk.Tags.of(stack).add(key, value)
    # cdk-nag v3 is a policy-validation plugin: any finding not acknowledged (with a reason) on its
    # construct fails synth, so `make synth` and the tests both enforce it.
    cdk.Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True)
    )
    return AppStacks(
        routes=tuple(routes),
        service=service,
        edge=edge,
        edge_access=edge_access,
        monitoring=monitoring,
        edge_monitoring=edge_monitoring,
        drills=drills,
    )
