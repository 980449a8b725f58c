"""Mutation proof: the scenarios pin every alarm. Each mutation of one alarm (threshold x10 and /10; each
metric it reads pointed elsewhere; missing-data treatment flipped; EvaluationPeriods and DatapointsToAlarm
one more and one less; the period doubled and halved; every number inside an IF condition, the floors,
x10 and /10) must make at least one case (a failure-mode row on either background, a quiet scenario, a
pinning case (harness.pinning_cases), the fixed regression) fail, with no lag or (an alarm that mixes sources) with its sources late. A mutation that survives is
listed with why it cannot matter, in tests/support/scenarios/survivors.py or by the alarm's unit in its PROOF
(observability/proof.py), once (one that would matter for some traffic shape gets a scenario of that shape
instead); the test asserts that list exactly, so a new survivor fails.

Only the mutated alarm (and the composites over it, with its sibling window under the same lag) is
re-evaluated; every other timeline is the unmutated one with no lag.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

from observability.failure_modes import proofs
from observability.simulator.evaluator import MetricAlarm, MetricStat, Timeline
from observability.simulator.series import MetricKey
from tests.support.scenarios.harness import (
    COLD_MORNING,
    NO_LAG,
    REFUSED_RETRIED,
    SLOW_AFTER_HEALTHY,
    TELEMETRY_LOST,
    Case,
    Loaded,
    Setting,
    _composites,
    _settings,
    alarm_sources,
    base_of,
    cases_of,
    observe,
    sources_read,
    verdict,
)
from tests.support.scenarios.survivors import SURVIVORS, UNRESERVED_SURVIVORS, reason

FLIP = {"notBreaching": "breaching", "breaching": "notBreaching", "ignore": "breaching", "missing": "breaching"}
# A floor: a number an IF condition compares with (``requests >= 10``), not arithmetic (``/ 100``).
_FLOOR = re.compile(r"(?:>=|<=|>|<)\s*(\d+(?:\.\d+)?)(?![\w.])")


def _if_condition(text: str) -> tuple[int, int] | None:
    """(start, end) of the condition of the expression's IF (up to its first top-level comma)."""
    at = text.find("IF(")
    if at < 0:
        return None
    depth, start = 0, at + 3
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0 and text[i] == ",":
            return start, i
    return None


def _scaled(v: float, factor: float) -> str:
    return f"{v * factor:g}"


def mutations(alarm: MetricAlarm) -> Iterator[tuple[str, MetricAlarm]]:
    t = alarm.threshold
    up = t * 10 if t else 10
    down = t / 10 if t > 1 else t - 1  # a count threshold of 0 or 1 goes one less (>= 0.1 is >= 1 on counts)
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
    n, m = alarm.evaluation_periods, alarm.datapoints_to_alarm
    yield f"EvaluationPeriods {n} -> {n + 1}", replace(alarm, evaluation_periods=n + 1)
    if n > 1:
        yield (
            f"EvaluationPeriods {n} -> {n - 1}",
            replace(alarm, evaluation_periods=n - 1, datapoints_to_alarm=min(m, n - 1)),
        )
    if m > 1:
        yield f"DatapointsToAlarm {m} -> {m - 1}", replace(alarm, datapoints_to_alarm=m - 1)
    if m < n:
        yield f"DatapointsToAlarm {m} -> {m + 1}", replace(alarm, datapoints_to_alarm=m + 1)
    p = alarm.period_s
    for new in (p * 2, p // 2):
        if new >= 60 and new % 60 == 0:
            stats = {q: MetricStat(s.key, s.statistic, new) for q, s in alarm.stats.items()}
            yield f"period {p} s -> {new} s", replace(alarm, period_s=new, stats=stats)
    for eid, text in alarm.expressions.items():
        where = _if_condition(text)
        if where is None:
            continue
        start, end = where
        for num in _FLOOR.finditer(text, start, end):
            v = float(num.group(1))
            for factor in (10, 0.1):
                new_text = text[: num.start(1)] + _scaled(v, factor) + text[num.end(1) :]
                yield (
                    f"IF floor {num.group(1)} -> {_scaled(v, factor)}",
                    replace(alarm, expressions={**alarm.expressions, eid: new_text}),
                )


class Harness:
    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.cases = list(cases_of(loaded).values())
        self.base = base_of(loaded)
        every = _settings(loaded.name, sources_read(loaded))
        self.lagged = [s for s in every if s.sources]

    def _timelines(self, case: Case, setting: Setting, key: str, mutated: MetricAlarm) -> dict[str, Timeline]:
        aset, scn = self.loaded.aset, case.scenario.lagged(setting.lags) if setting.lags else case.scenario
        tls = dict(self.base[case.name])
        again = {key}
        if setting.lags:  # the composites over it judge it with its sibling windows under the same lag
            for ck, comp in aset.alarms.items():
                kids = [aset.child_key(ck, n) for n in getattr(comp, "children", lambda: [])()]
                if key in kids:
                    again |= set(kids)
        metric = aset.metric_alarms()
        for k in again:
            alarm = mutated if k == key else metric[k]
            tls[k] = alarm.evaluate(scn, extra_datapoints=setting.extra)
        _composites(aset, tls, again, range(scn.start + 1, scn.end + 1))
        return tls

    def failures(
        self, key: str, mutated: MetricAlarm, *, stop_at_first: bool = True, only: str | None = None
    ) -> dict[str, str]:
        """Case [setting] -> what broke: no lag first, then the alarm's own sources late (``only``: one case)."""
        out: dict[str, str] = {}
        own = alarm_sources(mutated)
        # An alarm that mixes sources is also judged with each of them 1-3 minutes late (skew); one that
        # reads one source with it 3 minutes late (the latest its minutes may come).
        lagged = [s for s in self.lagged if s.sources <= own and (len(own) > 1 or 3 in s.lags.values())]
        for setting in [NO_LAG, *lagged]:
            for case in self.cases:
                if only is not None and case.name != only:
                    continue
                tls = self._timelines(case, setting, key, mutated)
                obs = observe(case, tls, self.loaded, lagged=bool(setting.sources))
                broke = verdict([(case, {setting.name: obs})], complete=False)
                if broke:
                    out[f"{case.name} [{setting.name}]"] = broke[0]
                    if stop_at_first:
                        return out
        return out


_HARNESSES: dict[str, Harness] = {}


def _harness(loaded: Loaded) -> Harness:
    if loaded.name not in _HARNESSES:
        _HARNESSES[loaded.name] = Harness(loaded)
    return _HARNESSES[loaded.name]


# Route alarms come from one template per route (observability/units/route.py): the proof mutates those of
# one route per SLO shape, get_order (p99, 99.9 %) and orders_summary (p90, 99 %, cached at the edge).
MUTATED_ROUTES = ("get_order", "orders_summary")


def survivors(h: Harness, only: set[str] | None = None) -> tuple[list[str], int]:
    """The mutations no case catches (as "<alarm>: <mutation>"), and how many were tried."""
    out, tried = [], 0
    for key, alarm in h.loaded.aset.metric_alarms().items():
        model_key = h.loaded.key_of[key]
        if only is not None and model_key not in only:
            continue
        if model_key.startswith("route-") and not model_key.startswith(tuple(f"route-{r}-" for r in MUTATED_ROUTES)):
            continue
        for what, mutated in mutations(alarm):
            tried += 1
            if not h.failures(key, mutated):
                out.append(f"{model_key}: {what}")
    return out, tried


def stated_survivors(loaded: Loaded, only: set[str] | None = None) -> dict[str, str]:
    """What the units state in their PROOF for this configuration's mutated alarms: survivor -> why."""
    keys = set(loaded.key_of.values())
    return {
        s: why
        for p in proofs()
        for s, why in p.survivors.items()
        if s.split(": ", 1)[0] in keys and (only is None or s.split(": ", 1)[0] in only)
    }


def why_survives(survivor: str, stated: dict[str, str]) -> str:
    return stated.get(survivor) or reason(survivor) or ""


def _where(survivors: list[str], loaded: Loaded) -> str:
    """Where each survivor is stated: by its alarm's unit (PROOF.survivors), or the kit's list."""
    files = {s: loaded.owner.get(s.split(": ", 1)[0], "its unit") for s in survivors}
    return "; ".join(f"{s!r}: {f} PROOF.survivors" for s, f in files.items())


def test_every_mutation_of_every_alarm_breaks_a_scenario_or_is_a_listed_survivor(loaded_default: Loaded) -> None:
    h = _harness(loaded_default)
    found, tried = survivors(h)
    print(f"\nmutations tried: {tried}, killed: {tried - len(found)}, listed survivors: {len(found)}")
    stated = stated_survivors(loaded_default)
    assert set(stated).isdisjoint(SURVIVORS), "a survivor is stated twice: in a unit's PROOF and in survivors.py"
    listed = [*SURVIVORS, *stated]
    assert all(why_survives(s, stated).startswith("cannot matter") for s in (*listed, *UNRESERVED_SURVIVORS))
    new, caught = sorted(set(found) - set(listed)), sorted(set(listed) - set(found))
    assert not new, (
        f"mutations no scenario catches: {new}: add a case that tells each apart (tests/support/scenarios/world.py, "
        "harness.py) or, if it cannot change a notification, state why it cannot matter: by the alarm's unit ("
        f"{_where(new, loaded_default)}) or in tests/support/scenarios/survivors.py (the kit's shared reasons)"
    )
    assert not caught, (
        f"listed survivors a scenario now catches: {caught}: remove them from tests/support/scenarios/survivors.py "
        "or their unit's PROOF.survivors"
    )
    assert sorted(found) == sorted(listed)  # listed once each


def test_every_mutation_of_the_account_concurrency_alarm_breaks_a_scenario(loaded_unreserved: Loaded) -> None:
    # Only the configuration without reserved concurrency has it; the rest is the same as default's.
    h = _harness(loaded_unreserved)
    only = {"lambda-account-concurrency", "lambda-throttles"}
    found, _ = survivors(h, only=only)
    assert sorted(found) == sorted([*UNRESERVED_SURVIVORS, *stated_survivors(loaded_unreserved, only)])


@pytest.mark.parametrize(
    ("alarm", "mutation", "broken"),
    [
        # The example for the closing note: treat "too few URL requests to judge" as breaching, and the
        # quiet night (one refused POST, one 404 in four hours) pages on-call.
        ("function-url-refused", "missing data notBreaching -> breaching", "quiet night [no lag]"),
        # Read the refused share without the invocations (every URL request counted as refused): the busy
        # day's healthy traffic pages.
        ("function-url-refused", "metric Sum(Invocations) -> InvocationsElsewhere", "busy day [no lag]"),
        ("cloudfront-4xx-rate", "threshold 50 -> 500", "row a on normal traffic [no lag]"),
        # One period instead of 2 of 2: a crash pages a period sooner than the matrix says.
        ("function-url-5xx-unanswered", "DatapointsToAlarm 2 -> 1", "row d on normal traffic [no lag]"),
        # The 6-h slow-share window at its real length on a route used by a handful (issue 23): 3 h would
        # forget the healthy session 4 hours before a slow stretch, 12 h would remember an evening's cold starts.
        ("route-orders_summary-slow-share-6h", "period 21600 s -> 10800 s", f"{SLOW_AFTER_HEALTHY} [no lag]"),
        ("route-orders_summary-slow-share-6h", "period 21600 s -> 43200 s", f"{COLD_MORNING} [no lag]"),
        # The heartbeat's floor: a floor of 1 tickets a client's refused POSTs (no EMF is due), 100 misses the
        # telemetry lost on an API only its canary calls (18 URL requests per 15 minutes).
        ("telemetry-heartbeat", "IF floor 10 -> 1", f"{REFUSED_RETRIED} [no lag]"),
        ("telemetry-heartbeat", "IF floor 10 -> 100", f"{TELEMETRY_LOST} [no lag]"),
    ],
)
def test_mutation_examples(loaded_default: Loaded, alarm: str, mutation: str, broken: str) -> None:
    h = _harness(loaded_default)
    key = h.loaded.by_model_key[alarm]
    (mutated,) = [m for what, m in mutations(h.loaded.aset.alarms[key]) if what == mutation]  # type: ignore[arg-type]
    failures = h.failures(key, mutated, stop_at_first=False, only=broken.rsplit(" [", 1)[0])
    print(f"\n{alarm}, {mutation}: {failures.get(broken)}")
    assert broken in failures, failures


def test_the_service_windows_and_heartbeat_have_a_value_in_every_period_without_traffic(
    loaded_default: Loaded,
) -> None:
    # survivors.py's "cannot matter" for their missing-data mutations: row l (nothing reaches the API for 45
    # minutes) leaves none of these alarms' periods missing, so the missing-data treatment is never consulted.
    case = cases_of(loaded_default)["row l on normal traffic"]
    tls = base_of(loaded_default)[case.name]
    judged = range(case.scenario.start + 1, case.scenario.end + 1)
    for key, tl in tls.items():
        model = loaded_default.key_of[key]
        if re.fullmatch(r"service-(fast|slow|leak)-\w+|telemetry-heartbeat", model) and not model.endswith("burn"):
            assert all(t in tl.values for t in judged), model


def test_the_floors_that_cannot_matter(loaded_default: Loaded) -> None:
    # survivors.py's "cannot matter" for the 2-fault and 2-slow floors: one bad request among the request
    # floor's R is at most 1/(R x budget) of the budget, under the threshold; and where 15 slow ones are
    # surviving, the threshold already needs more than 15 among R.
    alarms = loaded_default.aset.metric_alarms()
    checked = 0
    for s in SURVIVORS:
        model, what = s.split(": ")
        if not re.fullmatch(r"IF floor (2 -> 0.2|1.5 -> 0.15|1.5 -> 15)", what):
            continue
        alarm = alarms[loaded_default.by_model_key[model]]
        (text,) = alarm.expressions.values()
        floor = float(re.search(r"requests >= (\d+)", text).group(1))  # type: ignore[union-attr]
        budget = float(re.search(r"/ ([\d.]+), 0\)$", text).group(1))  # type: ignore[union-attr]
        # The fault rate is a fraction of 1, the slow share a percentage.
        one = 1 / floor / budget if "fault" in model else 100 / floor / budget
        if what.endswith("-> 15"):
            assert alarm.threshold / one > 15, s  # the slow requests the threshold needs among R
        else:
            assert one < alarm.threshold, s
        checked += 1
    assert checked == 10
