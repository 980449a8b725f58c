"""Two severities on every notifying alarm (issue 23): a page reaches the page topic of its region and a
ticket the ticket topic, each topic with its own subscription (config `alarm_email`, `ticket_email`); the
description starts with the severity; silence (INSUFFICIENT_DATA) notifies only where the model says."""

from __future__ import annotations

from observability.model import Alarm
from observability.monitoring_config import MonitoringConfig
from observability.plan import plan
from stacks.monitoring.topic import TOPIC_IDS
from tests.support.deployed import all_templates
from tests.support.synth import Synth

CFG = MonitoringConfig()


def _topic_of(action: dict, topics: dict[str, str]) -> str:
    """The severity a topic reference stands for: a Ref to the topic, or to the nested stack's parameter
    that carries it (CDK names it after the topic's construct path)."""
    ref = action["Ref"]
    if ref in topics:
        return topics[ref]
    (severity,) = [s for s, cid in TOPIC_IDS.items() if cid in ref]
    return severity


def test_each_alarm_notifies_the_topic_of_its_severity(default_synth: Synth) -> None:
    model = {CFG.alarm_name(a.key): a for a in plan(CFG, default_synth.routes, 20).alarms}
    seen = {"page": 0, "ticket": 0}
    for t in all_templates(default_synth):
        topics = {
            lid: next(s for s, cid in TOPIC_IDS.items() if lid.startswith(f"Monitoring{cid}") or cid in lid)
            for lid in t.resources("AWS::SNS::Topic")
        }
        for type_ in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
            for res in t.resources(type_).values():
                p = res["Properties"]
                alarm = model[p["AlarmName"]]
                if not alarm.notify:
                    assert "AlarmActions" not in p
                    continue
                assert {_topic_of(a, topics) for a in p["AlarmActions"] + p["OKActions"]} == {alarm.severity}
                assert p["AlarmDescription"].startswith(alarm.severity.upper() + ". ")
                silence = alarm.silence if isinstance(alarm, Alarm) else None
                if silence is None:
                    assert "InsufficientDataActions" not in p, p["AlarmName"]
                else:
                    assert {_topic_of(a, topics) for a in p["InsufficientDataActions"]} == {silence}
                seen[alarm.severity] += 1
    assert seen["page"] >= 5, seen
    assert seen["ticket"] >= 10, seen


def test_each_region_has_a_page_and_a_ticket_topic_with_their_own_subscriptions(default_synth: Synth) -> None:
    for part, region in (("home", "home"), ("edge", "edge")):
        t = default_synth.templates[part]
        names = {r["Properties"]["TopicName"] for r in t.resources("AWS::SNS::Topic").values()}
        assert names == {CFG.topic_name(region, "page"), CFG.topic_name(region, "ticket")}  # type: ignore[arg-type]
        subscriptions = [r["Properties"] for r in t.resources("AWS::SNS::Subscription").values()]
        # tests/support/synth.py's default sets alarm_email only: the ticket topics have no subscriber.
        assert [s["Endpoint"] for s in subscriptions] == [default_synth.config.alarm_email]
