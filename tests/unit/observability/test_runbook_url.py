"""runbook_url: checked by settings/config.py, and kept whole in every alarm description within
CloudWatch's 1,024-character AlarmDescription (observability/alarm_docs.py trims the first checks)."""

from __future__ import annotations

import pytest

from observability.alarm_docs import MAX_DESCRIPTION, description, every_alarm
from observability.monitoring_config import MAX_RUNBOOK_URL, MonitoringConfig
from settings.config import ConfigError, load_config
from tests.support.synth import CDK_CONTEXT, LONG_RUNBOOK_URL, many_routes


def _load(url: str) -> str:
    return load_config({**CDK_CONTEXT, "runbook_url": url}, environ={}).runbook_url


def test_the_limit_leaves_room_for_a_realistic_url() -> None:
    assert MAX_RUNBOOK_URL >= 200
    assert len(LONG_RUNBOOK_URL) == MAX_RUNBOOK_URL
    assert _load(LONG_RUNBOOK_URL) == LONG_RUNBOOK_URL


def test_a_longer_url_fails_with_a_message_naming_the_limit() -> None:
    with pytest.raises(ConfigError, match=rf"'runbook_url' must be at most {MAX_RUNBOOK_URL} characters.*1,024"):
        _load(LONG_RUNBOOK_URL + "x")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/RUNBOOK.md#alarms",  # descriptions add their own anchor
        "https://example.com/RUN BOOK.md",
        "https:///RUNBOOK.md",
        "https://localhost/RUNBOOK.md",
        "ftp://example.com/RUNBOOK.md",
    ],
)
def test_a_url_of_the_wrong_shape_is_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="'runbook_url' must be an https:// URL of a page"):
        _load(url)


def test_every_description_keeps_the_longest_url_whole() -> None:
    """Every alarm of every unit (Shield and SnapStart on, the longest service name, 30 routes)."""
    cfg = MonitoringConfig(
        service_name="s" * 40, runbook_url=LONG_RUNBOOK_URL, shield_advanced=True, function_alias="live"
    )
    alarms = every_alarm(cfg, many_routes(30))
    texts = [description(a, cfg) for a in alarms]
    assert all(len(t) <= MAX_DESCRIPTION for t in texts)
    assert all(t.endswith(f"Runbook: {LONG_RUNBOOK_URL}#{a.runbook.kind}") for a, t in zip(alarms, texts, strict=True))
    trimmed = [t for t in texts if " ... Dashboard " in t]
    assert trimmed, "some first checks were trimmed to make room"
    assert all("First checks: (1) " in t for t in trimmed), "at least the first check stays"


def test_a_short_url_trims_nothing() -> None:
    cfg = MonitoringConfig(runbook_url="https://example.com/RUNBOOK.md")
    for alarm in every_alarm(cfg):
        checks = alarm.runbook.first_checks
        text = description(alarm, cfg)
        assert " ... Dashboard " not in text
        assert checks[-1].rstrip(".") in text
