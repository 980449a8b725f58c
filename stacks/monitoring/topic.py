"""The alarm topics of one region, one per severity (page, ticket), each with its optional e-mail subscription."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from constructs import Construct

from observability.model import Region, Severity
from observability.monitoring_config import MonitoringConfig

# Construct ids: the page topic keeps the id (and name) the single alarm topic had, so no update replaces it.
TOPIC_IDS: dict[Severity, str] = {"page": "AlarmTopic", "ticket": "TicketTopic"}


def severity_topics(
    scope: Construct, cfg: MonitoringConfig, region: Region, page_email: str | None, ticket_email: str | None
) -> dict[Severity, sns.Topic]:
    """The page topic (``alarm_email``: on-call, any hour) and the ticket topic (``ticket_email``: the
    team's queue, working hours) of one region."""
    emails: dict[Severity, str | None] = {"page": page_email, "ticket": ticket_email}
    return {
        severity: alarm_topic(scope, TOPIC_IDS[severity], topic_name=cfg.topic_name(region, severity), email=email)
        for severity, email in emails.items()
    }


def alarm_topic(
    scope: Construct,
    construct_id: str,
    *,
    topic_name: str,
    email: str | None,
) -> sns.Topic:
    """An SNS topic CloudWatch alarms can publish to (TLS enforced on every publisher)."""
    topic = sns.Topic(
        scope,
        construct_id,
        topic_name=topic_name,
        display_name=topic_name,
        enforce_ssl=True,
    )
    # Alarms publish as the CloudWatch service principal; restrict it to alarms of this account.
    stack = Stack.of(scope)
    alarms_arn = f"arn:{stack.partition}:cloudwatch:{stack.region}:{stack.account}:alarm:*"
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchAlarms",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={
                "ArnLike": {"aws:SourceArn": alarms_arn},
                "StringEquals": {"aws:SourceAccount": stack.account},
            },
        )
    )
    if email:
        topic.add_subscription(subs.EmailSubscription(email))
    # cdk-nag v3 reads CDK's native acknowledgments.
    Validations.of(topic).acknowledge(
        Acknowledgment(
            id="AwsSolutions-SNS2",
            reason="Alarm notifications carry alarm names and states only, no customer data. "
            "Encrypting needs a customer managed KMS key whose policy admits CloudWatch "
            "(the AWS managed SNS key cannot): give the topic a master_key to enable it.",
        )
    )
    return topic
