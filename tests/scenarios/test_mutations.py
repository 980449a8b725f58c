"""Mutation proof: the scenarios pin every alarm. Raising or lowering any one alarm's threshold (x10,
/10), pointing any one of its metrics elsewhere, or flipping its missing-data treatment makes at least
one scenario (a failure-mode row, the quiet night or the busy day) fail.

Only the mutated alarm (and the composites over it) is re-evaluated; every other timeline is the
unmutated one. The one documented exception: flipping TreatMissingData of an AWS/DynamoDB alarm changes
nothing, because CloudWatch keeps such an alarm's state on missing data whatever it says (the evaluator
implements that rule, observability/simulator/evaluator.py); those alarms FILL their counters instead.
And one equivalent mutation: api-unreachable's threshold 100 -> 10. A canary run's SuccessPercent is 0 or
100 (one script, passed or failed), so "< 100" and "< 10" select the same runs; no world can tell them apart.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import replace

import pytest

from observability.simulator.evaluator import ALARM, OK, CompositeAlarm, MetricAlarm, Timeline
from observability.simulator.series import MetricKey
from tests.scenarios.harness import Loaded, cases

# Mutations that cannot change any state, with why in the module docstring.
EQUIVALENT = {"api-unreachable: threshold 100 -> 10"}
FLIP = {"notBreaching": "breaching", "breaching": "notBreaching", "ignore": "breaching", "missing": "breaching"}


def mutations(alarm: MetricAlarm) -> Iterator[tuple[str, MetricAlarm]]:
    """Threshold x10 and /10 (a count threshold of 0 or 1 goes to 10 and to one less: >= 0.1 would
    equal >= 1 on whole counts); each metric it reads renamed (queries of one metric and statistic,
    e.g. SystemErrors per operation, together); the missing-data treatment flipped."""
    t = alarm.threshold
    up = t * 10 if t else 10
    down = t / 10 if t > 1 else t - 1
    yield f"threshold {t:g} -> {up:g}", replace(alarm, threshold=up)
    yield f"threshold {t:g} -> {down:g}", replace(alarm, threshold=down)
    groups: dict[tuple[str, str], list[str]] = {}
    for qid, stat in alarm.stats.items():
        groups.setdefault((stat.key.name, stat.statistic), []).append(qid)
    for (name, statistic), qids in groups.items():
        stats = dict(alarm.stats)
        for qid in qids:
            k = stats[qid].key
            stats[qid] = replace(stats[qid], key=MetricKey(k.namespace, name + "Elsewhere", k.dimensions))
        yield f"metric {statistic}({name}) -> {name}Elsewhere", replace(alarm, stats=stats)
    if not alarm.on_dynamodb:
        flipped = FLIP[alarm.treat_missing_data]
        yield f"missing data {alarm.treat_missing_data} -> {flipped}", replace(alarm, treat_missing_data=flipped)


class Harness:
    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.cases = cases(loaded)
        self.base = {c.name: loaded.aset.evaluate(c.scenario) for c in self.cases}
        for c in self.cases:  # the unmutated alarms pass every case
            assert c.check(self.base[c.name]) is None, c.check(self.base[c.name])

    def first_failure(self, key: str, mutated: MetricAlarm) -> str | None:
        """What the first case that breaks says, or None when the mutation survives every case."""
        return next(iter(self.failures(key, mutated, stop_at_first=True).values()), None)

    def failures(self, key: str, mutated: MetricAlarm, *, stop_at_first: bool = False) -> dict[str, str]:
        """Case name -> what broke, for every case the mutation breaks."""
        aset = self.loaded.aset
        out: dict[str, str] = {}
        for c in self.cases:
            tls = dict(self.base[c.name])
            tls[key] = mutated.evaluate(c.scenario)
            for ck, comp in aset.alarms.items():
                if isinstance(comp, CompositeAlarm):
                    kids = {name: aset._child_key(ck, name) for name in comp.children()}
                    if key in kids.values():
                        states = {
                            T: ALARM if comp.holds({n: tls[k].states[T] for n, k in kids.items()}) else OK
                            for T in tls[key].states
                        }
                        tls[ck] = Timeline(comp.name, states)
            broke = c.check(tls)
            if broke:
                out[c.name] = broke
                if stop_at_first:
                    break
        return out


@functools.cache
def _harness(name: str) -> Harness:
    from tests.scenarios.harness import load
    from tests.support.synth import synthesize

    return Harness(load(synthesize(name)))


def survivors(h: Harness, only: set[str] | None = None) -> list[str]:
    out = []
    for key, alarm in h.loaded.aset.metric_alarms().items():
        model_key = h.loaded.key_of[key]
        if only is not None and model_key not in only:
            continue
        for what, mutated in mutations(alarm):
            if f"{model_key}: {what}" not in EQUIVALENT and h.first_failure(key, mutated) is None:
                out.append(f"{model_key}: {what}")
    return out


def test_every_mutation_of_every_alarm_breaks_a_scenario() -> None:
    h = _harness("default")
    assert survivors(h) == []


def test_every_mutation_of_the_account_concurrency_alarm_breaks_a_scenario() -> None:
    # Only the configuration without reserved concurrency has it; the rest is the same as default's.
    h = _harness("eu-west-1")
    assert survivors(h, only={"lambda-account-concurrency", "lambda-throttles"}) == []


@pytest.mark.parametrize(
    ("alarm", "mutation", "broken"),
    [
        # The example for the closing note: treat "too few URL requests to judge" as breaching, and the
        # quiet night (one refused POST, one 404 in four hours) pages on-call.
        ("function-url-refused", "missing data notBreaching -> breaching", "quiet night"),
        # Compare with what the URL answered without subtracting the service's own 4xx: the busy day's
        # 404s and 422s look like refusals.
        ("function-url-refused", "metric Sum(ClientError) -> ClientErrorElsewhere", "busy day"),
        ("cloudfront-4xx-rate", "threshold 50 -> 500", "row a"),
    ],
)
def test_mutation_examples(alarm: str, mutation: str, broken: str) -> None:
    h = _harness("default")
    key = h.loaded.by_model_key[alarm]
    (mutated,) = [m for what, m in mutations(h.loaded.aset.alarms[key]) if what == mutation]  # type: ignore[arg-type]
    failures = h.failures(key, mutated)
    print(f"\n{alarm}, {mutation}: {failures.get(broken)}")
    assert broken in failures, failures
