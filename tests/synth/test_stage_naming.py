"""A stage's service name reaches the function, every alarm and topic name, and every metric it reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.support.synth import Synth


def _templates(synth: Synth) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(synth.outdir.glob("*.template.json")):
        yield path.name, json.loads(path.read_text())


def test_service_name_labels_the_function_and_names_every_alarm_and_topic(synth: Synth) -> None:
    service = synth.config.service_name
    env = synth.one(synth.stacks.service, "AWS::Lambda::Function")["Environment"]["Variables"]
    assert env["POWERTOOLS_SERVICE_NAME"] == service
    names = []
    for _, template in _templates(synth):
        for resource in template.get("Resources", {}).values():
            props = resource.get("Properties", {})
            if resource["Type"] in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
                names.append(props["AlarmName"])
            elif resource["Type"] == "AWS::SNS::Topic":
                names.append(props["TopicName"])
    assert len(names) > 10
    assert all(isinstance(n, str) and n.startswith(f"{service}-") for n in names), names


def test_alarms_read_the_metrics_of_this_stage_only(synth: Synth) -> None:
    """The `service` dimension of every OrdersApi metric an alarm reads is this stage's service name."""
    seen = set()
    for _, template in _templates(synth):
        text = json.dumps(template)
        for fragment in text.split('"Name": "service", "Value": ')[1:]:
            seen.add(fragment.split('"')[1])
    assert seen == {synth.config.service_name}


def test_alarm_descriptions_link_the_configured_runbook(synth: Synth) -> None:
    descriptions = [
        r["Properties"].get("AlarmDescription", "")
        for _, t in _templates(synth)
        for r in t.get("Resources", {}).values()
        if r["Type"] in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")
    ]
    notifying = [d for d in descriptions if d]
    assert notifying
    assert all(synth.config.runbook_url in d for d in notifying)
