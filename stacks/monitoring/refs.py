"""The deploy-time values (``observability.model.Ref`` names, ``$name`` in expressions) each monitoring stack
supplies, as data: the unit guard (tests/unit/observability/test_unit_guard.py) reads them without a CDK synth, and
each stack builds its values through :func:`supplied`, which refuses any other set of names.

A unit that reads a value not listed for its region (an alarm's metric in its region; every dashboard
panel in the home region, where the dashboard lives) needs it added here and in that stack
(stacks/monitoring/stacks.py)."""

from __future__ import annotations

from collections.abc import Mapping

from observability.model import Region

SUPPLIED: Mapping[Region, frozenset[str]] = {
    # MonitoringStack: the home region's alarms, its nested stacks and the dashboard (which draws both regions).
    "home": frozenset(
        {
            "function_name",
            "table_name",
            "log_group_name",
            "cloudfront_access_log_group_name",
            "distribution_id",
            "web_acl_metric_name",
            "home_region",
            "function_resource",
        }
    ),
    # EdgeMonitoringStack (us-east-1): CloudFront, WAF and canary alarms, the WAF and CloudFront log queries.
    "edge": frozenset(
        {
            "distribution_id",
            "web_acl_metric_name",
            "distribution_arn",
            "waf_log_group_name",
            "cloudfront_access_log_group_name",
        }
    ),
}


def supplied(region: Region, **values: str) -> Mapping[str, str]:
    """The stack's values, exactly the names :data:`SUPPLIED` declares for ``region`` (else ValueError)."""
    declared = SUPPLIED[region]
    if values.keys() != declared:
        raise ValueError(
            f"{region} monitoring stack: values {sorted(values)} differ from stacks/monitoring/refs.py "
            f"SUPPLIED[{region!r}] {sorted(declared)}"
        )
    return values
