"""Shield Advanced (``shield_advanced: true``): the DDoSDetected alarm on the distribution.

AWS/DDoSProtection publishes DDoSDetected (1 while Shield Advanced sees an attack) per protected
resource, dimension ResourceArn; for a CloudFront distribution in us-east-1, so the alarm lives there.
Shield Standard is always on and has no metric of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from observability import causes, sections
from observability.model import Alarm, Metric, Playbook, Ref
from observability.proof import Proof
from observability.queries import SavedQuery
from observability.unit import Panel, Scope, UnitAlarms

NS = "AWS/DDoSProtection"

DDOS_DETECTED = Playbook(
    kind="shield-ddos-detected",
    title="Shield Advanced: DDoS detected",
    meaning=(
        "Shield Advanced detected a DDoS event on the CloudFront distribution. The web ACL's anti-DDoS rule "
        "group (AWSManagedRulesAntiDDoSRuleSet) blocks the most suspicious requests while it lasts; with "
        "shield_automatic_response Shield also adds its own rule group (ShieldMitigationRuleGroup_*)."
    ),
    first_checks=(
        "Shield console (us-east-1) > Events: attack vector, volume, and the mitigation rules in place",
        "Edge section: WAF blocked requests and CloudFront 4xx rate rising = mitigation is working",
        "Service fault rate or latency up too: contact the Shield Response Team (needs Business/Enterprise support)",
    ),
    dashboard_section=sections.EDGE,
    saved_queries=("blocked-by-rule-and-ip",),
)


DDOS_DETECTED_KEY = "shield-ddos-detected"
PROOF = Proof(
    not_in_a_row={
        DDOS_DETECTED_KEY: (
            "cannot: exists only with Shield Advanced (config `shield_advanced`), which no scenario configuration "
            "enables: Shield publishes DDoSDetected as 0 or 1 per minute and the alarm pages on the first 1 (its "
            "shape is held by tests/unit/observability/test_edge_observability.py); no scenario pins it"
        ),
    },
)


@dataclass(frozen=True)
class ShieldAlarms(UnitAlarms):
    ddos_detected: Alarm | None  # only with Shield Advanced


def alarms(scope: Scope) -> ShieldAlarms:
    if not scope.cfg.shield_advanced:
        return ShieldAlarms(None)
    return ShieldAlarms(
        Alarm(
            key=DDOS_DETECTED_KEY,
            playbook=DDOS_DETECTED,
            region="edge",
            metric=Metric(NS, "DDoSDetected", "Maximum", 60, (("ResourceArn", Ref("distribution_arn")),)),
            threshold=1,
            comparison=">=",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="notBreaching",
            missing_data_why="DDoSDetected is published while Shield watches the resource; no data = no event",
            condition="",
            severity="ticket",
            severity_why=causes.CAUSE_DDOS,
        )
    )


def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]:
    return ()


def panels(scope: Scope, alarms: ShieldAlarms) -> tuple[Panel, ...]:
    """No panel of its own: the Edge section shows a mitigation's effect (WAF blocks, CloudFront 4xx)."""
    return ()
