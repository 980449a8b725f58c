"""Fire drills: which failure-mode rows a fault experiment can reproduce, with what fault, and what each
drill must see (plain data; stacks/drills.py deploys the experiments, scripts/drill.py runs them).

A drill injects a row's failure into the real function and checks that exactly the row's alarms reach
ALARM within the row's minutes (``observability.failure_modes``: read here, never copied, so a change to
the matrix changes the drills). AWS FIS's Lambda actions act in the runtime API proxy of the FIS
extension, outside the handler: the function's own EMF never sees their errors or delays. So a drill
exists only for the rows whose alarms read what AWS publishes about the invocation (``AWS/Lambda``, the
Function URL, CloudFront); every other row says here why it cannot be drilled this way.

The same action document is what the experiment template deploys and what the local server reads
(``local/lambda_faults.py``), so `make drill ROW=<row> LOCAL=1` rehearses the very fault.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from observability import failure_modes
from observability.failure_modes import ROUTE, FailureMode, by_row, pages
from observability.model import Alarm, AnyAlarm
from observability.proof import span

# key -> (region, notifies, threshold, period in minutes): what sizing and the runner need of an alarm.
AlarmFacts = Mapping[str, tuple[str, bool, float, int]]

ADD_DELAY = "aws:lambda:invocation-add-delay"
INVOCATION_ERROR = "aws:lambda:invocation-error"
HTTP_RESPONSE = "aws:lambda:invocation-http-integration-response"
LAMBDA_ACTIONS = (ADD_DELAY, INVOCATION_ERROR, HTTP_RESPONSE)

# The FIS extension polls its configuration every 60 s while no fault is active (AWS FIS user guide,
# "Understanding polling"; AWS_FIS_SLOW_POLL_INTERVAL_SECONDS): a fault starts up to this long after the
# experiment. Minutes are measured from the experiment's start, so every bound gets this much slack.
RAMP_UP_MIN = 1
# The drill runs this much past its slowest alarm's upper bound, then stops whatever it saw.
MARGIN_MIN = 2
# The alarm that stops every experiment (its stop condition): throttling means the drill's fault is
# holding more executions than planned and real users are being refused. It is no drill's expected alarm
# (checked below) and never muted, so if it fires it pages: a drill gone wider than planned is news.
GUARD_ALARM = "lambda-throttles"
# Requests per minute a drill is sized for: the runner's own traffic (scripts/drill.py --rate), since a
# quiet stage's real traffic (and the canary's few calls every 5 minutes) cannot fill an alarm's floor.
TRAFFIC_PER_MINUTE = 30
# A drill wants this many faulty requests in the alarm's period (its threshold times this), so that a
# random percentage does not leave a period short by chance (at 3 expected, P(none) is ~5 %).
FLOOR_MARGIN = 3
# Tags the runner finds a row's experiment template by, and the prefix of the drills' mute rule names.
TAG_SERVICE = "service"
TAG_DRILL = "drill"


def mute_rule_prefix(service_name: str) -> str:
    return f"{service_name}-drill-"


@dataclass(frozen=True)
class LambdaFault:
    """One FIS Lambda action: ``action`` with its parameters, all as the FIS API spells them (strings)."""

    action: str
    share: float  # the row's share of requests that fail, before sizing (0-1)
    prevent_execution: bool | None = None  # invocation-error / http-integration-response
    delay_beyond_timeout_s: int | None = None  # add-delay: the function's timeout plus this many seconds
    status_code: int | None = None  # http-integration-response

    def parameters(self, *, duration_min: int, percentage: int, timeout_s: int) -> dict[str, str]:
        params = {"duration": f"PT{duration_min}M", "invocationPercentage": str(percentage)}
        if self.prevent_execution is not None:
            params["preventExecution"] = "true" if self.prevent_execution else "false"
        if self.delay_beyond_timeout_s is not None:
            params["startupDelayMilliseconds"] = str((timeout_s + self.delay_beyond_timeout_s) * 1000)
        if self.status_code is not None:
            params["statusCode"] = str(self.status_code)
            params["contentTypeHeader"] = "application/json"
        return params


@dataclass(frozen=True)
class Drill:
    row: str
    fault: LambdaFault
    how: str  # how the fault reproduces the row
    # The alarm the fault's share is sized on: the one closest to the fault (the row's own metric alarm), not
    # a service-wide composite the matrix may list first.
    sized_on: str = "lambda-errors"


DRILLS: tuple[Drill, ...] = (
    Drill(
        row="c",
        fault=LambdaFault(ADD_DELAY, share=0.03, delay_beyond_timeout_s=1),
        how=(
            "a start-up delay one second longer than the function's timeout on 3 % of invocations: each one "
            "times out (Lambda Errors, a 502 from the Function URL) as the row's slow scan does"
        ),
    ),
    Drill(
        row="d",
        fault=LambdaFault(INVOCATION_ERROR, share=1.0, prevent_execution=True),
        how="every invocation fails before the handler runs, as an init failure: Errors = Invocations, 502s",
    ),
)

# Every other row, and why no FIS Lambda action reproduces it (a drill that could only report the
# injection's blind spot as a missing alarm would teach the wrong lesson).
_OUTSIDE = "the Lambda actions act outside the handler, so the service's EMF (which the route alarms read) "
NOT_DRILLED: Mapping[str, str] = {
    "a": "needs the EdgeAccess permissions removed: a deploy, not a fault an experiment can undo",
    "b1": "needs traffic beyond reserved concurrency (a load test: `make load` locally), not a Lambda action",
    "b2": "needs a burst beyond reserved concurrency (a load test), not a Lambda action",
    "e1": "FIS cannot throttle an on-demand table; rehearse it locally with `make run DYNAMODB_FAULTS=throttle=…`",
    "e2": "FIS cannot throttle an on-demand table; rehearse it locally with `make run DYNAMODB_FAULTS=throttle=…`",
    "e3": "FIS cannot make DynamoDB unavailable; rehearse it locally with `make run DYNAMODB_FAULTS=unavailable=1`",
    "f": "needs a WAF rule changed (a deploy)",
    "g": "needs the edge key store emptied (a deploy)",
    "h": "needs the distribution's origin changed (a deploy)",
    "i1": "a replacement left half-deployed: a deploy sequence, not a fault",
    "i2": "a replacement left half-deployed: a deploy sequence, not a fault (and nothing pages: `make verify`)",
    "j": _OUTSIDE + "never counts the 500s an http-integration-response action returns",
    "k1": _OUTSIDE + "never sees the delay an add-delay action adds before the handler starts",
    "k2": _OUTSIDE + "never sees the delay an add-delay action adds before the handler starts",
    "l": "needs DNS or the distribution disabled (a deploy); the canary's alarm is the only witness",
    "m": "FIS Lambda actions hit a share of all invocations, not one route; rehearse a route's outage with a "
    "deploy that breaks it in a staging stage",
    "n": "the init time is measured by the service's own import (InitDuration); an add-delay action before "
    "the handler is not in it",
    "o": "needs the service's logging changed (a deploy); the Lambda actions leave its EMF as it is",
}


@dataclass(frozen=True)
class Expected:
    """One alarm a drill must see reach ALARM, and within which minutes of the experiment's start."""

    key: str
    region: str  # "home" or "edge"
    notify: bool  # it has actions (a page or a ticket): muted for the drill
    lo: int
    hi: int  # the matrix's upper bound; the drill allows RAMP_UP_MIN more

    @property
    def deadline_min(self) -> int:
        return self.hi + RAMP_UP_MIN


@dataclass(frozen=True)
class DrillPlan:
    """A drill for one configuration: the fault sized, the experiment's length, the alarms to see."""

    drill: Drill
    mode: FailureMode
    percentage: int
    duration_min: int
    expected: tuple[Expected, ...]
    timeout_s: int

    @property
    def row(self) -> str:
        return self.drill.row

    @property
    def action(self) -> dict[str, Any]:
        """The experiment's one action, as the template declares it and the local server reads it."""
        return {
            "actionId": self.drill.fault.action,
            "parameters": self.drill.fault.parameters(
                duration_min=self.duration_min, percentage=self.percentage, timeout_s=self.timeout_s
            ),
        }


def drills_by_row() -> dict[str, Drill]:
    return {d.row: d for d in DRILLS}


def percentage(fault: LambdaFault, threshold: float, period_min: int, traffic_per_minute: int) -> int:
    """The invocation percentage: the row's share, raised until the alarm's period holds FLOOR_MARGIN times
    its threshold of faulty requests at the drill's traffic (a quiet stage's traffic cannot)."""
    needed = FLOOR_MARGIN * threshold / (traffic_per_minute * period_min)
    return max(1, min(100, math.ceil(100 * max(fault.share, needed))))


def alarm_facts(alarms: Iterable[AnyAlarm]) -> dict[str, tuple[str, bool, float, int]]:
    """What a drill needs of each deployed alarm (a composite counts as one alarm of threshold 1)."""
    return {
        a.key: (a.region, a.notify, a.threshold, max(1, a.metric.period_s // 60))
        if isinstance(a, Alarm)
        else (a.region, a.notify, 1.0, 1)
        for a in alarms
    }


def plan_drill(
    row: str,
    alarms: AlarmFacts,
    *,
    timeout_s: int,
    low_traffic: bool = False,
    traffic_per_minute: int = TRAFFIC_PER_MINUTE,
) -> DrillPlan:
    """The drill of ``row`` for a configuration whose alarms are ``alarms``: key -> (region, notifies,
    threshold, period in minutes) for every alarm the configuration deploys. An alarm a row expects but
    the configuration lacks (the canary's without `canary`, the reserved-concurrency one without a
    reservation) is not expected. ``low_traffic``: the row's low-traffic-day expectations."""
    if row not in drills_by_row():
        why = NOT_DRILLED.get(row)
        raise ValueError(f"row {row!r} has no drill" + (f": {why}" if why else f"; drills: {sorted(drills_by_row())}"))
    drill, mode = drills_by_row()[row], by_row()[row]
    minutes = dict(pages(mode))
    if low_traffic:
        minutes.update(failure_modes.low_traffic(mode))
    expected = tuple(
        Expected(key, alarms[key][0], alarms[key][1], *span(m))
        for key, m in minutes.items()
        if m is not None and key in alarms
    )
    if not expected:
        raise ValueError(f"row {row!r}: none of its alarms exists in this configuration")
    # Sized on the drill's own alarm where deployed, else on the first alarm the row names.
    _, _, threshold, period = alarms[drill.sized_on if drill.sized_on in alarms else expected[0].key]
    pct = percentage(drill.fault, threshold, period, traffic_per_minute)
    duration = max(e.deadline_min for e in expected) + MARGIN_MIN
    return DrillPlan(drill, mode, pct, duration, expected, timeout_s)


def _check(rows: Collection[str]) -> None:
    """Every row is drilled or says why not; no drill expects its guard or a per-route alarm."""
    drilled = set(drills_by_row())
    if drilled & set(NOT_DRILLED) or drilled | set(NOT_DRILLED) != set(rows):
        raise ValueError(f"drills: rows {sorted(set(rows) ^ (drilled | set(NOT_DRILLED)))} are unaccounted for")
    for d in DRILLS:
        keys = set(pages(by_row()[d.row]))
        if GUARD_ALARM in keys:
            raise ValueError(f"drill {d.row}: its guard alarm {GUARD_ALARM} is one it expects")
        if any(ROUTE in k for k in keys):
            raise ValueError(f"drill {d.row}: per-route alarms need a route scope, which drills do not have")
        if d.fault.action not in LAMBDA_ACTIONS:
            raise ValueError(f"drill {d.row}: unknown action {d.fault.action}")


_check(by_row())
