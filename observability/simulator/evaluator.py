"""Metric and composite alarm state machines, evaluated minute by minute over a Scenario.

Sources (page titles of the CloudWatch User Guide):
- [missing] "Configuring how CloudWatch alarms treat missing data" (evaluation range, M of N, the tables);
- [alarms] "Using Amazon CloudWatch alarms" / "Alarm evaluation" (period, evaluation periods, datapoints to alarm);
- [api] PutMetricAlarm / MetricAlarm.TreatMissingData (the AWS/DynamoDB rule);
- [composite] "Creating a composite alarm" (rule functions ALARM/OK/INSUFFICIENT_DATA, AND/OR/NOT, TRUE/FALSE).

Timing model (documented simplification): minute ``m``'s samples arrive at once, ``Scenario.lags`` minutes
late per source; at every minute ``T`` the alarm evaluates datapoints whose periods end at ``T``, ``T - p``,
``T - 2p`` ... (a sliding window that moves every minute, as CloudWatch re-evaluates alarms every minute),
each computed from what had landed by ``T``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from observability.simulator import metric_math
from observability.simulator.series import MetricKey, Scenario

State = Literal["OK", "ALARM", "INSUFFICIENT_DATA"]
OK: State = "OK"
ALARM: State = "ALARM"
INSUFFICIENT: State = "INSUFFICIENT_DATA"
TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")

# [missing]: for EvaluationPeriods 3 "CloudWatch retrieves the 5 most recent data points". The page says the
# exact number "depends on the length of the alarm period"; we use N + 2 for every alarm (adjustable).
EXTRA_DATAPOINTS = 2
EvaluationRange = Callable[[int, int], int]  # (EvaluationPeriods, Period in seconds) -> datapoints retrieved
# Metric math results by expression and the identity of its (shared, cached) input datapoints: another lag or
# range of the same scenario, another alarm with the same expression over the same metrics, or a mutation
# that leaves the expression alone reads the same ones. Oldest first out; each entry holds its inputs.
_RESULTS: dict[object, tuple[object, dict[int, float], bool]] = {}
_RESULTS_SIZE = 1024


def documented_evaluation_range(evaluation_periods: int, period_s: int) -> int:
    """[missing] documents one case (5-minute period, EvaluationPeriods 3 -> 5 datapoints); N + 2 for all."""
    return evaluation_periods + EXTRA_DATAPOINTS


_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda v, t: v > t,
    "GreaterThanOrEqualToThreshold": lambda v, t: v >= t,
    "LessThanThreshold": lambda v, t: v < t,
    "LessThanOrEqualToThreshold": lambda v, t: v <= t,
}


def decide(
    points: Sequence[bool | None], n: int, m: int, treatment: str, current: State, *, dynamodb: bool = False
) -> State:
    """The state from the evaluation range ``points`` (oldest first; True breaching, False not, None missing).

    [missing] "If no data points in the evaluation range are missing, CloudWatch evaluates the alarm based on
    the most recent data points collected." / "If some ... are missing, but the number of existing data points
    ... is equal to or more than the alarm's Evaluation Periods, CloudWatch evaluates the alarm state based on
    the most recent existing data points ... the value you set for how to treat missing data ... is ignored."
    / "... lower than the alarm's number of evaluation periods, CloudWatch fills in the missing data points
    with the result you specified ... any real data points in the evaluation range, no matter when they were
    reported, are included ... uses missing data points only as few times as possible." Then: "If fewer than
    the value of Datapoints to Alarm are breaching, the alarm state is set to OK. Otherwise ... ALARM."
    """
    if treatment not in TREATMENTS:
        raise ValueError(f"unknown TreatMissingData {treatment!r}")
    if dynamodb:
        # [api] "Alarms that evaluate metrics in the AWS/DynamoDB namespace always ignore missing data even if
        # you choose a different option ... remain in their current state."
        treatment = "ignore"
    real = [p for p in points if p is not None]
    if len(real) >= n:
        recent = real[-n:]
        return ALARM if sum(recent) >= m else OK
    fills = n - len(real)
    breaching, clear = sum(real), len(real) - sum(real)
    if treatment == "breaching":
        return ALARM if breaching + fills >= m else OK
    if treatment == "notBreaching":
        return ALARM if breaching >= m else OK
    # missing / ignore: the missing datapoints are not evidence either way.
    if breaching >= m:
        return ALARM
    if clear:  # table rows "0 - - - -", "0 - X - -", "- - - - 0": OK under missing and ignore alike
        return OK
    if treatment == "ignore":  # rows "- - - - -", "- - - - X", "X - - - -": "Retain current state"
        return current
    if not real:  # "INSUFFICIENT_DATA only when every datapoint in the evaluation range is missing"
        return INSUFFICIENT
    # Only breaching and missing datapoints, fewer than M breaching. [missing], the rows "X - - - -" (ALARM) and
    # "- - - - X" (Insufficient data): the alarm goes to ALARM when the oldest breaching datapoint is at least
    # DatapointsToAlarm periods old (the newest datapoint is 1 period old) and every newer datapoint is
    # breaching or missing (true here: there is no non-breaching one); before that there is not enough data.
    oldest = next(i for i, p in enumerate(points) if p)
    return ALARM if len(points) - oldest >= m else INSUFFICIENT


@dataclass(frozen=True)
class MetricStat:
    key: MetricKey
    statistic: str  # Sum, Average, SampleCount, Minimum, Maximum, pNN
    period_s: int


@dataclass(frozen=True)
class MetricAlarm:
    """One AWS::CloudWatch::Alarm, single metric (one query) or metric math (``result`` is an expression id)."""

    name: str
    stats: Mapping[str, MetricStat]
    expressions: Mapping[str, str]
    result: str  # the id whose datapoints the alarm compares (a stat or an expression)
    period_s: int
    threshold: float
    comparison: str
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: str = "missing"
    alarm_name: str | None = None

    @property
    def on_dynamodb(self) -> bool:
        return any(s.key.namespace == "AWS/DynamoDB" for s in self.stats.values())

    def datapoints(
        self, scenario: Scenario, ends: Sequence[int], *, strict_arithmetic: bool = False
    ) -> dict[int, float]:
        """The alarm's datapoints for periods ending at each minute in ``ends`` (missing ones absent), from
        every sample the scenario holds (what the metric shows once every source has landed)."""
        stats = {qid: self._stat_values(scenario, qid, ends) for qid in self.stats}
        return self._combine(stats, ends, strict_arithmetic)[0]

    def _stat_values(
        self, scenario: Scenario, qid: str, ends: Sequence[int], seen_at: int | None = None, *, behind: int = 0
    ) -> metric_math.TS:
        """One query's datapoints; with ``seen_at`` only from the minutes that had landed by then; with
        ``behind`` without each period's last ``behind`` minutes (not landed yet)."""
        st = self.stats[qid]
        series = scenario.series_for(st.key)
        q = st.period_s // 60
        if seen_at is None and isinstance(ends, range):
            return series.datapoints(st.statistic, q, ends, behind)
        cutoff = None if seen_at is None else seen_at - scenario.lag_of(st.key)  # minutes m < cutoff landed
        out: metric_math.TS = {}
        for t in ends:
            last = (t if cutoff is None else min(t, cutoff)) - behind
            v = series.aggregate(t - q, last, st.statistic) if last > t - q else None
            if v is not None:
                out[t] = v
        return out

    def _combine(
        self, stats: Mapping[str, metric_math.TS], grid: Sequence[int], strict_arithmetic: bool, remember: bool = False
    ) -> tuple[dict[int, float], bool]:
        """The result query over ``grid`` from the queries' datapoints, and whether each timestamp's result
        depended only on that timestamp (False when an expression reduced a series to a scalar). Remembered
        (``_RESULTS``) when ``remember``. The result may be shared: do not change it."""
        if self.result in self.stats:
            return stats[self.result], True
        if not remember:
            return self._compute(stats, grid, strict_arithmetic)
        inputs = tuple(stats[qid] for qid in self.stats)
        key = (
            self.result,
            tuple(self.expressions.items()),
            tuple((qid, st.period_s) for qid, st in self.stats.items()),  # METRICS() order, PERIOD(m)
            tuple(map(id, inputs)),
            strict_arithmetic,
            grid if isinstance(grid, range) else tuple(grid),
        )
        hit = _RESULTS.pop(key, None)
        if hit is not None:  # the entry holds its inputs: their ids cannot have been reused
            _RESULTS[key] = hit  # the most recently used go out last
            return hit[1], hit[2]
        out, pointwise = self._compute(stats, grid, strict_arithmetic)
        if len(_RESULTS) >= _RESULTS_SIZE:
            del _RESULTS[next(iter(_RESULTS))]
        _RESULTS[key] = (inputs, out, pointwise)
        return out, pointwise

    def _compute(
        self, stats: Mapping[str, metric_math.TS], grid: Sequence[int], strict_arithmetic: bool
    ) -> tuple[dict[int, float], bool]:
        queries: dict[str, Callable[[], metric_math.Value]] = {}
        for qid in self.stats:
            queries[qid] = lambda qid=qid: stats[qid]  # type: ignore[misc]  # mypy cannot infer a lambda with a default
        ctx = metric_math.Context(
            grid=list(grid),
            queries=queries,
            metric_ids=list(self.stats),
            periods={k: v.period_s for k, v in self.stats.items()},
            strict_arithmetic=strict_arithmetic,
        )
        memo: dict[str, metric_math.Value] = {}
        for eid, text in self.expressions.items():

            def run(eid: str = eid, text: str = text) -> metric_math.Value:
                if eid not in memo:
                    memo[eid] = metric_math.evaluate(metric_math.parse(text), ctx)
                return memo[eid]

            queries[eid] = run
        out = queries[self.result]()
        if not isinstance(out, dict):
            raise TypeError(f"{self.name}: the alarm expression must yield one time series, got {type(out)}")
        # NaN (a scalar division by zero) is no datapoint
        return {t: v for t, v in out.items() if v == v}, ctx.pointwise

    def evaluate(
        self,
        scenario: Scenario,
        *,
        initial: State = INSUFFICIENT,
        extra_datapoints: int = EXTRA_DATAPOINTS,
        evaluation_range: EvaluationRange | None = None,
        strict_arithmetic: bool = False,
    ) -> Timeline:
        """States minute by minute. The evaluation range (datapoints CloudWatch retrieves) is
        ``evaluation_range(EvaluationPeriods, Period seconds)`` when given, else ``EvaluationPeriods +
        extra_datapoints``. Under ``scenario.lags`` each evaluation recomputes its range from what had landed.

        Incremental, with the results of evaluating every minute from scratch (``range_at`` + ``decide``;
        tests/unit/observability/simulator/test_evaluator.py proves them equal): each datapoint is computed once
        for the whole scenario (a period of any length costs the same: prefix sums in the series), and under lag
        once more per minute of lag, as an evaluation ``d`` minutes after the period's end saw it; each minute
        then looks its range up, and a state already decided for the same range and current state is reused (a long
        quiet stretch costs a dictionary lookup a minute). Expressions that reduce a series to a scalar (MAX(m))
        depend on the whole range: under lag those are still recomputed at every minute."""
        p, rng = self._range(extra_datapoints, evaluation_range)
        minutes = range(scenario.start + 1, scenario.end + 1)
        ends = range(minutes[0] - (rng - 1) * p, minutes[-1] + 1) if minutes else range(0)
        # Up to the first minute any query has a sample, every period is empty: a per-timestamp result is the
        # same for all of them (a 6-h or 3-day range reaches far back before a scenario's first minute). So the
        # grid starts there, and an earlier period end reads its first timestamp (``floor``). Every evaluation
        # range over the scenario then shares one grid, and so one cached metric math result.
        floor = self._floor(scenario, ends)
        grid = range(floor, ends.stop)
        stats = {qid: self._stat_values(scenario, qid, grid) for qid in self.stats}
        landed, pointwise = self._combine(stats, grid, strict_arithmetic, remember=True)
        lags = {qid: scenario.lag_of(st.key) for qid, st in self.stats.items()}
        maxlag = max(lags.values(), default=0)
        compare, threshold = _COMPARE[self.comparison], self.threshold
        full = {t: compare(v, threshold) for t, v in landed.items()}
        # Under lag, a per-timestamp result as the evaluation d minutes after its period's end saw it (d < maxlag;
        # from then on every query has landed): seen[d] = (datapoints, breaching or not).
        seen: list[tuple[dict[int, float], dict[int, bool]]] = []
        if maxlag and pointwise:
            for d in range(maxlag):
                partial = {
                    qid: stats[qid] if lags[qid] <= d else self._stat_values(scenario, qid, grid, behind=lags[qid] - d)
                    for qid in self.stats
                }
                values = self._combine(partial, grid, strict_arithmetic, remember=True)[0]
                seen.append((values, {t: compare(v, threshold) for t, v in values.items()}))
        decided: dict[tuple[tuple[bool | None, ...], State], State] = {}
        n, m, treatment, dynamodb = (
            self.evaluation_periods,
            self.datapoints_to_alarm,
            self.treat_missing_data,
            self.on_dynamodb,
        )
        state, states, shown = initial, {}, {}
        for T in minutes:
            window = range(T - (rng - 1) * p, T + 1, p)  # oldest first
            if not pointwise:  # a scalar reduction (MAX(m)) reads the whole range: computed for this one
                values = self._seen_at(scenario, T, window, strict_arithmetic)
                points = tuple(None if t not in values else compare(values[t], threshold) for t in window)
                value = values.get(T)
            elif not maxlag:
                points = tuple(full.get(max(t, floor)) for t in window)
                value = landed.get(max(T, floor))
            else:
                points = tuple((full if T - t >= maxlag else seen[T - t][1]).get(max(t, floor)) for t in window)
                value = seen[0][0].get(max(T, floor))
            key = (points, state)
            if key not in decided:
                decided[key] = decide(points, n, m, treatment, state, dynamodb=dynamodb)
            state = decided[key]
            states[T] = state
            if value is not None:
                shown[T] = value
        return Timeline(self.name, states, shown)

    def _floor(self, scenario: Scenario, ends: range) -> int:
        """The first period end in ``ends`` whose period can hold a sample of a query, or the last one; every
        earlier period is empty (a period ending at ``t`` holds the minutes before ``t``)."""
        first = min((scenario.series_for(st.key).first() for st in self.stats.values()), default=math.inf)
        return int(min(max(ends.start, first), max(ends.start, ends.stop - 1)))

    def range_at(
        self,
        scenario: Scenario,
        T: int,
        *,
        extra_datapoints: int = EXTRA_DATAPOINTS,
        evaluation_range: EvaluationRange | None = None,
        strict_arithmetic: bool = False,
    ) -> dict[int, float]:
        """The evaluation range's datapoints (period end -> value) as the evaluation at minute ``T`` computes
        them from what had landed by then (``evaluate`` computes the same, faster)."""
        p, rng = self._range(extra_datapoints, evaluation_range)
        return self._seen_at(scenario, T, range(T - (rng - 1) * p, T + 1, p), strict_arithmetic)

    def _range(self, extra_datapoints: int, evaluation_range: EvaluationRange | None) -> tuple[int, int]:
        """(period in minutes, datapoints in the evaluation range)."""
        p = self.period_s // 60
        if p < 1 or self.period_s % 60:
            raise NotImplementedError("only periods that are whole minutes are modelled")
        if evaluation_range is not None:
            rng = evaluation_range(self.evaluation_periods, self.period_s)
        else:
            rng = self.evaluation_periods + extra_datapoints
        if rng < self.evaluation_periods:
            raise ValueError(f"{self.name}: an evaluation range of {rng} is shorter than EvaluationPeriods")
        return p, rng

    def _seen_at(self, scenario: Scenario, T: int, window: Sequence[int], strict_arithmetic: bool) -> dict[int, float]:
        """The range's datapoints as the evaluation at ``T`` computes them from what had landed by then."""
        stats = {qid: self._stat_values(scenario, qid, window, seen_at=T) for qid in self.stats}
        return dict(self._combine(stats, window, strict_arithmetic)[0])


_RULE_TOKEN = re.compile(r"\s*(ALARM|OK|INSUFFICIENT_DATA|AND|OR|NOT|TRUE|FALSE|\(|\)|\"[^\"]*\"|[^\s()\"]+)")


@dataclass(frozen=True)
class CompositeAlarm:
    """An AlarmRule over child alarms (children named as in ``rule``: logical id or alarm name)."""

    name: str
    rule: str
    alarm_name: str | None = None

    def children(self) -> list[str]:
        return [t.strip('"') for t in _tokens(self.rule) if t not in _RULE_WORDS]

    def holds(self, states: Mapping[str, State]) -> bool:
        toks = _tokens(self.rule)
        pos = 0

        def peek() -> str | None:
            return toks[pos] if pos < len(toks) else None

        def take() -> str:
            nonlocal pos
            pos += 1
            return toks[pos - 1]

        def expr() -> bool:
            v = term()
            while peek() == "OR":
                take()
                rhs = term()
                v = v or rhs
            return v

        def term() -> bool:
            v = factor()
            while peek() == "AND":
                take()
                rhs = factor()
                v = v and rhs
            return v

        def factor() -> bool:
            tok = take()
            if tok == "NOT":
                return not factor()
            if tok in ("TRUE", "FALSE"):
                return tok == "TRUE"
            if tok == "(":
                v = expr()
                if take() != ")":
                    raise SyntaxError(f"unbalanced AlarmRule {self.rule!r}")
                return v
            if tok in ("ALARM", "OK", "INSUFFICIENT_DATA"):
                if take() != "(":
                    raise SyntaxError(f"{tok} needs ( in {self.rule!r}")
                child = take().strip('"')
                if take() != ")":
                    raise SyntaxError(f"unbalanced AlarmRule {self.rule!r}")
                if child not in states:
                    raise KeyError(f"{self.name}: AlarmRule names unknown alarm {child!r}")
                return states[child] == tok
            raise SyntaxError(f"unexpected {tok!r} in AlarmRule {self.rule!r}")

        v = expr()
        if peek() is not None:
            raise SyntaxError(f"trailing {peek()!r} in AlarmRule {self.rule!r}")
        return v


_RULE_WORDS = {"ALARM", "OK", "INSUFFICIENT_DATA", "AND", "OR", "NOT", "TRUE", "FALSE", "(", ")"}


@functools.lru_cache(maxsize=1024)
def _tokens(rule: str) -> tuple[str, ...]:
    return tuple(m.group(1) for m in _RULE_TOKEN.finditer(rule))


@dataclass
class Timeline:
    """State after the evaluation at each minute T (T counts from the scenario start; data of minute m is in
    from T = m + 1 on), plus the alarm's datapoint for the period ending at T when there is one."""

    name: str
    states: dict[int, State]
    values: dict[int, float] = field(default_factory=dict)

    def first(self, state: State, *, after: int | None = None) -> int | None:
        if state not in self.states.values():  # most alarms never leave OK: no scan
            return None
        return next((t for t, s in self.states.items() if s == state and (after is None or t > after)), None)

    def first_alarm_minute(self, *, after: int | None = None) -> int | None:
        return self.first(ALARM, after=after)

    def minutes_to_alarm(self, since: int) -> int | None:
        """Minutes from ``since`` (a failure starting at minute ``since``) until the alarm is in ALARM."""
        t = self.first_alarm_minute(after=since)
        return None if t is None else t - since

    def ever(self, state: State) -> bool:
        return state in self.states.values()

    def transitions(self) -> list[tuple[int, State]]:
        out: list[tuple[int, State]] = []
        for t, s in self.states.items():
            if not out or out[-1][1] != s:
                out.append((t, s))
        return out


AnyAlarm = MetricAlarm | CompositeAlarm


@dataclass
class AlarmSet:
    """Alarms by key; composites name their children by key or by AlarmName."""

    alarms: dict[str, AnyAlarm] = field(default_factory=dict)

    def add(self, key: str, alarm: AnyAlarm) -> None:
        if key in self.alarms:
            raise ValueError(f"duplicate alarm key {key}")
        self.alarms[key] = alarm

    def metric_alarms(self) -> dict[str, MetricAlarm]:
        return {k: a for k, a in self.alarms.items() if isinstance(a, MetricAlarm)}

    def find(self, name: str) -> str:
        """The key of the alarm called ``name`` (key, key suffix after '/', or AlarmName)."""
        hits = [k for k, a in self.alarms.items() if name in (k, k.rsplit("/", 1)[-1], a.name, a.alarm_name)]
        if len(hits) != 1:
            raise KeyError(f"{len(hits)} alarms match {name!r}")
        return hits[0]

    def evaluate(self, scenario: Scenario, **options: object) -> dict[str, Timeline]:
        """Every alarm over the scenario; composites read their children's states at the same minute."""
        out: dict[str, Timeline] = {
            k: a.evaluate(scenario, **options)  # type: ignore[arg-type]  # options are MetricAlarm.evaluate's keywords, passed through
            for k, a in self.metric_alarms().items()
        }
        return self.with_composites(out, range(scenario.start + 1, scenario.end + 1))

    def with_composites(self, metric: Mapping[str, Timeline], minutes: range) -> dict[str, Timeline]:
        """The metric alarms' timelines plus every composite's over ``minutes``, read from its children's
        states at the same minute (also what the backtest uses over timelines it evaluated itself)."""
        out = dict(metric)
        pending = {k: a for k, a in self.alarms.items() if isinstance(a, CompositeAlarm)}
        while pending:
            ready = {k: a for k, a in pending.items() if all(self.child_key(k, c) in out for c in a.children())}
            if not ready:
                raise ValueError(f"composite alarms with unknown or cyclic children: {sorted(pending)}")
            for k, a in ready.items():
                names = {c: self.child_key(k, c) for c in a.children()}
                # [composite] the rule is re-evaluated when a child changes state: at every minute here.
                states = {
                    T: (ALARM if a.holds({c: out[key].states[T] for c, key in names.items()}) else OK) for T in minutes
                }
                out[k] = Timeline(a.name, states)
                del pending[k]
        return out

    def child_key(self, composite_key: str, child: str) -> str:
        prefix = composite_key.rsplit("/", 1)[0] + "/" if "/" in composite_key else ""
        if prefix + child in self.alarms:  # same stack first
            return prefix + child
        return self.find(child)


def evaluate_all(alarms: AlarmSet | Iterable[tuple[str, AnyAlarm]], scenario: Scenario) -> dict[str, Timeline]:
    aset = alarms if isinstance(alarms, AlarmSet) else AlarmSet(dict(alarms))
    return aset.evaluate(scenario)
