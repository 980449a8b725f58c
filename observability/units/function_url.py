"""The Lambda Function URL (AuthType AWS_IAM, CloudFront's origin). Nothing monitored here yet.

AWS/Lambda publishes UrlRequestCount, Url4xxCount and Url5xxCount per function (dimension
FunctionName). Their alarms (with playbooks) and graphs belong in this module, declared like the
other units' (``alarms(cfg)`` and ``widgets(...)``), then listed in ``observability.plan``.
"""

from __future__ import annotations

from observability.config import MonitoringConfig
from observability.model import Alarm, Widget


def alarms(cfg: MonitoringConfig) -> list[Alarm]:
    return []


def widgets() -> tuple[Widget, ...]:
    return ()
