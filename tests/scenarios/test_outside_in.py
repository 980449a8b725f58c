"""The outside-in canary in the scenario world: its runs are traffic like any viewer's, it pages when
nobody can reach the API (row l), and it does not page when it stops running."""

from __future__ import annotations

from observability.simulator.evaluator import INSUFFICIENT
from observability.simulator.series import MetricKey
from tests.support.scenarios import world
from tests.support.scenarios.harness import Loaded, Observed, cases_of, verdict


def test_a_quiet_night_still_has_the_canarys_requests_every_5_minutes(loaded_default: Loaded) -> None:
    scenario = loaded_default.world(world.quiet_night, 60)
    health = MetricKey.of("OrdersApi", "Requests", {"service": loaded_default.service, "route": "GET /health"})
    minutes = sorted(scenario.metrics[health].samples)
    assert minutes == list(range(world.CANARY_PHASE, 60, world.CANARY_EVERY))
    runs = MetricKey.of("CloudWatchSynthetics", "SuccessPercent", {"CanaryName": loaded_default.canary_name})
    assert {s.maximum for s in scenario.metrics[runs].samples.values()} == {100.0}


def test_nobody_reaching_the_api_publishes_nothing_but_the_canarys_failures(loaded_default: Loaded) -> None:
    row_l = world.failure_timelines(loaded_default.routes, 20, 1000)["l"]
    scenario = loaded_default.world(row_l, world.END)
    late = {k.namespace for k, series in scenario.metrics.items() if any(m >= world.START for m in series.samples)}
    assert late == {"CloudWatchSynthetics"}


def test_a_stopped_canary_pages_nothing_and_leaves_the_alarm_without_data(
    loaded_default: Loaded, observed_default: dict[str, dict[str, Observed]]
) -> None:
    # The API is fine; only its outside-in check stopped. A page would wake someone for a healthy API (and a
    # first deploy would page before the first run): the alarm goes to INSUFFICIENT_DATA, never ALARM. Judged
    # like every named case, under every setting (a unit's PROOF.cases may add to what it expects).
    case = cases_of(loaded_default)["canary stopped"]
    assert verdict([(case, observed_default[case.name])]) == []
    assert not {k for o in observed_default[case.name].values() for k in o.minutes if loaded_default.notifies(k)}
    timelines = loaded_default.aset.evaluate(case.scenario)
    unreachable = timelines[loaded_default.by_model_key["api-unreachable"]]
    assert unreachable.states[world.END] == INSUFFICIENT
