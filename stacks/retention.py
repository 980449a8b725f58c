"""CDK's RetentionDays member for a number of days (the Python enum has names, not day counts)."""

from __future__ import annotations

from aws_cdk import aws_logs as logs

from settings.config import RETENTION_DAYS


def retention_days(days: int) -> logs.RetentionDays:
    """The enum member for ``days``; config.py has already rejected values CloudWatch does not accept."""
    return logs.RetentionDays[RETENTION_DAYS[days]]
