"""The Lambda function: crash, throttle and reserved-concurrency alarms; its panels in the Lambda health
and Concurrency sections of the dashboard."""

from __future__ import annotations

from dataclasses import dataclass, replace

from observability import causes, queries, sections
from observability.emf import service_metric
from observability.model import (
    ORANGE,
    RED,
    Alarm,
    AlarmLine,
    Expression,
    Graph,
    Line,
    LogTable,
    Metric,
    Playbook,
    Ref,
    Text,
    duration,
)
from observability.monitoring_config import MonitoringConfig
from observability.queries import SavedQuery
from observability.unit import Panel, Scope, UnitAlarms
from service.contract import METRIC_COLD_START, METRIC_INIT_DURATION, METRIC_REQUESTS

NS = "AWS/Lambda"
FUNCTION = (("FunctionName", Ref("function_name")),)
# With SnapStart the URL invokes an alias; AWS/Lambda publishes its metrics under FunctionName +
# Resource = "<function>:<alias>" (the FunctionName-only series aggregates every version and alias).
ALIAS = (("FunctionName", Ref("function_name")), ("Resource", Ref("function_resource")))


def metric(name: str, statistic: str, period_s: int = 60, **kwargs: str | None) -> Metric:
    """Function-wide: every version and alias. Concurrency and throttles are read here whatever the
    alias: reserved concurrency is a limit of the function, shared by all its versions."""
    return Metric(NS, name, statistic, period_s, FUNCTION, **kwargs)


def served_metric(cfg: MonitoringConfig, name: str, statistic: str, period_s: int = 60, **kwargs: str) -> Metric:
    """The code serving the Function URL: the alias when there is one (SnapStart), else the function.
    Invocations, errors and duration describe it; a console test of $LATEST does not count."""
    dims = ALIAS if cfg.function_alias else FUNCTION
    return Metric(NS, name, statistic, period_s, dims, **kwargs)


CONCURRENCY = Playbook(
    kind="lambda-concurrency-utilisation",
    title="Reserved concurrency nearly used up",
    meaning=(
        "The function is using {threshold} % or more of its reserved concurrency. At 100 % new "
        "requests are throttled: the Function URL answers 429, which viewers get as a 4xx from "
        "CloudFront (not a 5xx). The Function URL also caps requests per second at 10 x reserved."
    ),
    first_checks=(
        "Traffic or latency? Service section: Requests up, or Latency up (slower requests hold "
        "concurrency longer, e.g. a slow DynamoDB call)",
        "Edge section: a flood from few IPs is the WAF rate rule's job; check blocked requests",
        "Real growth: raise reserved concurrency (account's unreserved pool must stay >= 100)",
    ),
    dashboard_section=sections.CONCURRENCY,
    saved_queries=("requests-by-route-and-status", "slowest-requests"),
)

THROTTLES = Playbook(
    kind="lambda-throttles",
    title="Lambda throttles",
    meaning=(
        "Lambda rejected invocations because the function ran at its concurrency limit (reserved "
        "or account). The Function URL answered those viewers 429 (a 4xx at CloudFront) without the "
        "function running: no access line, no EMF."
    ),
    first_checks=(
        "Concurrency section: ConcurrentExecutions at the reserved line?",
        "Latency up at the same time means requests hold concurrency longer; find the slow route",
        "Sustained: raise reserved concurrency or lower the WAF rate limit",
    ),
    dashboard_section=sections.CONCURRENCY,
    saved_queries=("latency-percentiles-by-route",),
)

ERRORS = Playbook(
    kind="lambda-errors",
    title="Lambda function errors",
    meaning=(
        "Invocations failed outside the resolver's error handling: timeout, out of memory, import or "
        "init failure, or a crash in middleware. The Function URL answered 502, and viewers got it from "
        "CloudFront."
    ),
    first_checks=(
        "Lambda section: Errors with Duration near the timeout = timeouts; with cold starts = init failures",
        "Log group: search 'Task timed out', 'Runtime exited' or 'Init' lines (not JSON, not in the queries)",
        "Recent deploy or layer version change? Roll back if it correlates",
    ),
    dashboard_section=sections.LAMBDA,
    saved_queries=("recent-errors",),
)

ACCOUNT_CONCURRENCY = Playbook(
    kind="lambda-account-concurrency",
    title="Account concurrency nearly used up",
    meaning=(
        "The function reserves no concurrency, so it shares the region's account pool, and {threshold} % "
        "or more of the account's concurrency limit ({limit}) is claimed (ClaimedAccountConcurrency: "
        "unreserved executions of every function plus every reservation). At 100 % Lambda throttles: the "
        "Function URL answers 429 (a 4xx at CloudFront) for this function too, whoever uses the pool."
    ),
    first_checks=(
        "Concurrency section: is this function's ConcurrentExecutions the one that grew, or another function?",
        "Lambda console > Concurrency for the region: which functions claim it (reservations count too)",
        "Ask for a higher account limit, or reserve concurrency for this function (reserved_concurrency)",
    ),
    dashboard_section=sections.CONCURRENCY,
    saved_queries=("requests-by-route-and-status",),
)

_IDLE_WHY = "no data means no invocations: nothing is at risk"
CONCURRENT = metric("ConcurrentExecutions", "Maximum")
THROTTLED = metric("Throttles", "Sum")


def utilisation_alarm(cfg: MonitoringConfig, reserved: int) -> Alarm:
    pct = cfg.concurrency_utilisation_pct
    return Alarm(
        key="lambda-concurrency-utilisation",
        playbook=CONCURRENCY,
        region="home",
        metric=Expression(
            f"100 * concurrency / {reserved}",
            {"concurrency": CONCURRENT},
            period_s=CONCURRENT.period_s,
            label="reserved concurrency used (%)",
        ),
        threshold=pct,
        comparison=">=",
        # 2 of 3 minutes: a single busy minute is normal burstiness, two is a trend.
        evaluation_periods=3,
        datapoints_to_alarm=2,
        missing_data="notBreaching",
        missing_data_why="ConcurrentExecutions is published only while the function runs; " + _IDLE_WHY,
        condition="% of reserved concurrency in use (100 x Maximum(ConcurrentExecutions) / reserved concurrency)",
        severity="ticket",
        severity_why=causes.CAUSE_NEAR_LIMIT,
        context={"threshold": f"{pct:g}"},
    )


def account_concurrency_alarm(cfg: MonitoringConfig) -> Alarm:
    pct, limit = cfg.account_concurrency_pct, cfg.account_concurrency_limit
    return Alarm(
        key="lambda-account-concurrency",
        playbook=ACCOUNT_CONCURRENCY,
        region="home",
        metric=Expression(
            f"100 * claimed / {limit}",
            # Account level: AWS/Lambda, no dimensions.
            {"claimed": Metric(NS, "ClaimedAccountConcurrency", "Maximum", 60)},
            period_s=60,
            label="account concurrency claimed (%)",
        ),
        threshold=pct,
        comparison=">=",
        # 2 of 3 minutes, as the reserved-concurrency alarm: one busy minute is burstiness.
        evaluation_periods=3,
        datapoints_to_alarm=2,
        missing_data="notBreaching",
        missing_data_why="ClaimedAccountConcurrency is published while functions of the region run; " + _IDLE_WHY,
        condition=f"% of the account's concurrency claimed (100 x Maximum(ClaimedAccountConcurrency) / {limit})",
        severity="ticket",
        severity_why=causes.CAUSE_NEAR_LIMIT,
        context={"threshold": f"{pct:g}", "limit": str(limit)},
    )


@dataclass(frozen=True)
class LambdaAlarms(UnitAlarms):
    # Exactly one of the two: utilisation only means something against a reserved value; without one
    # the function shares the account pool, and the account's claimed concurrency is what runs out.
    utilisation: Alarm | None
    account: Alarm | None
    throttles: Alarm
    errors: Alarm
    init: Alarm


INIT = Playbook(
    kind="lambda-init-slow",
    title="Cold starts slower than the init budget (ticket)",
    meaning=(
        "At least {min_slow} cold starts in {window} spent more than {budget_ms} ms in the service's init "
        "(its imports: InitDuration, which each cold start's Latency includes too). Each first request of a "
        "new execution environment waits that long: a heavier dependency, a new import at module level, less "
        "memory (and so less CPU), or a layer change."
    ),
    first_checks=(
        "Saved query init-durations: when did Init Duration step up? Compare with the last deploy",
        "Recent deploy or dependency bump? Profile the import (python -X importtime) and move heavy imports "
        "to first use",
        "Memory lowered? Init runs on CPU proportional to memory",
    ),
    dashboard_section=sections.LAMBDA,
    saved_queries=("init-durations", "cold-starts"),
)


def init_alarm(cfg: MonitoringConfig) -> Alarm:
    """Cold starts over the init budget: the share of InitDuration values above it (PR, like route latency),
    counted, so that one slow cold start (a noisy neighbour) never tickets and a regression does on its
    ``init_min_slow``-th cold start."""
    budget, min_slow, period = cfg.init_budget_ms, cfg.init_min_slow, cfg.init_window_s
    return Alarm(
        key="lambda-init-slow",
        playbook=INIT,
        region="home",
        metric=Expression(
            f"IF(starts >= {min_slow}, (100 - fast) * starts / 100, 0)",
            {
                "fast": service_metric(cfg, METRIC_INIT_DURATION, f"PR(:{budget})", period_s=period),
                "starts": service_metric(cfg, METRIC_INIT_DURATION, "SampleCount", period_s=period),
            },
            period_s=period,
            label=f"cold starts with init > {budget} ms ({duration(period)})",
        ),
        # Whole counts from a percentage: >= n - 0.5 means at least n.
        threshold=min_slow - 0.5,
        comparison=">=",
        evaluation_periods=1,
        datapoints_to_alarm=1,
        missing_data="notBreaching",
        missing_data_why="no cold start, no init to judge",
        condition=f"cold starts with InitDuration over {budget} ms ((100 - PR(:{budget})) x SampleCount / 100)",
        severity="ticket",
        severity_why=causes.INIT_SLOW,
        context={"budget_ms": str(budget), "min_slow": str(min_slow), "window": duration(period)},
    )


def alarms(scope: Scope) -> LambdaAlarms:
    cfg, reserved = scope.cfg, scope.reserved_concurrency
    return LambdaAlarms(
        utilisation=utilisation_alarm(cfg, reserved) if reserved else None,
        account=None if reserved else account_concurrency_alarm(cfg),
        throttles=Alarm(
            key="lambda-throttles",
            playbook=THROTTLES,
            region="home",
            # A 5-min period, though any throttle pages: a 1-min datapoint that lands after the evaluation
            # range has moved past it (AWS/Lambda a few minutes late) is never evaluated, and a
            # one-minute burst would not page at all; the 5-min period still holds it.
            metric=replace(THROTTLED, period_s=300),
            threshold=0,
            comparison=">",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="notBreaching",
            missing_data_why=_IDLE_WHY,
            condition="",
            severity="ticket",
            severity_why=causes.CAUSE_THROTTLES,
        ),
        errors=Alarm(
            key="lambda-errors",
            playbook=ERRORS,
            region="home",
            metric=served_metric(cfg, "Errors", "Sum", 300),
            threshold=cfg.lambda_errors_threshold,
            comparison=">=",
            evaluation_periods=1,
            datapoints_to_alarm=1,
            missing_data="notBreaching",
            missing_data_why=_IDLE_WHY,
            condition="",
            severity="ticket",
            severity_why=causes.CAUSE_ERRORS,
        ),
        init=init_alarm(cfg),
    )


def saved_queries(scope: Scope) -> tuple[SavedQuery, ...]:
    return ()


def panels(scope: Scope, alarms: LambdaAlarms) -> tuple[Panel, ...]:
    """Lambda health, then concurrency against the reserved value (or the account's limit)."""
    return (
        health_panel(scope.cfg),
        concurrency_panel(scope.reserved_concurrency, alarms.utilisation, alarms.account),
    )


def health_panel(cfg: MonitoringConfig) -> Panel:
    cold = service_metric(cfg, METRIC_COLD_START, "Sum", period_s=300)
    alias = cfg.function_alias
    # With SnapStart a new environment is restored, not initialised: REPORT lines carry Restore
    # Duration, and Init Duration appears only in INIT_REPORT when a version is published.
    startup: tuple[LogTable, ...] = (
        LogTable(
            "Init duration, ms (REPORT lines; a paid query per refresh)",
            query=queries.get("init-durations").key,
            view="line",
            width=4 if alias else 6,
        ),
    )
    if alias:
        startup += (
            LogTable(
                "Restore duration, ms (SnapStart; REPORT lines; a paid query per refresh)",
                query=queries.get("restore-durations").key,
                view="line",
                width=4,
            ),
        )
    return Panel(
        sections.LAMBDA,
        (
            (
                Graph(
                    "Invocations, errors, throttles / min" + (f" (alias {cfg.function_alias})" if alias else ""),
                    left=(served_metric(cfg, "Invocations", "Sum", label="invocations"),),
                    right=(
                        served_metric(cfg, "Errors", "Sum", label="errors (crashes, timeouts)", color=RED),
                        replace(THROTTLED, label="throttles", color=ORANGE),
                    ),
                    width=6,
                ),
                Graph(
                    "Duration, ms (billed wall time incl. cold start init)",
                    left=tuple(served_metric(cfg, "Duration", s, label=s) for s in ("p50", "p99", "Maximum")),
                    width=6,
                ),
                Graph(
                    "Cold starts / 5 min and cold-start rate, %",
                    left=(replace(cold, label="cold starts"),),
                    # ColdStart is emitted only on cold starts (its Average is always 1): divide the
                    # cold starts by all requests, and FILL periods without a cold start with 0.
                    right=(
                        Expression(
                            "100 * FILL(cold, 0) / requests",
                            {"cold": cold, "requests": service_metric(cfg, METRIC_REQUESTS, "Sum", period_s=300)},
                            period_s=300,
                            label="% of requests on a cold start",
                        ),
                    ),
                    width=4 if alias else 6,
                ),
                # AWS/Lambda publishes no init or restore metric: Lambda's REPORT lines carry them.
                *startup,
            ),
        ),
    )


def concurrency_panel(reserved: int | None, utilisation: Alarm | None, account: Alarm | None) -> Panel:
    lines: tuple[Line | AlarmLine, ...] = ()
    left: tuple[Metric | Expression, ...] = (replace(CONCURRENT, label="concurrent"),)
    left_max = None
    if reserved and utilisation:
        # The alarm's threshold is a percentage of the reserved value: drawn in executions.
        line = AlarmLine(utilisation, "alarm {threshold:g} % = {value:g}", times=reserved, per=100, color=ORANGE)
        lines = (Line(reserved, f"reserved {reserved}"), line)
        left_max = reserved * 1.1
        note = (
            f"Reserved concurrency **{reserved}**: at the red line Lambda throttles. The alarm fires at "
            f"{utilisation.threshold:g} % (orange). The Function URL also caps requests at "
            f"10 x reserved = **{10 * reserved} per second**. Concurrency = requests/s x duration (s): slower "
            "requests use more of it."
        )
    else:
        note = (
            "Concurrency is **not reserved**: the function shares the account's pool. The account-concurrency "
            "alarm watches `ClaimedAccountConcurrency` (every function's unreserved executions plus every "
            "reservation) against the account limit; throttled requests get 429 from the Function URL."
        )
        if account:
            claimed = account.metric.using["claimed"]  # type: ignore[union-attr]  # the account alarm's metric is an Expression
            limit = int(account.context["limit"])
            left = (*left, replace(claimed, label="claimed in the account", color=RED))
            lines = (
                Line(limit, f"account limit {limit}"),
                AlarmLine(account, "alarm {threshold:g} % = {value:g}", times=limit, per=100, color=ORANGE),
            )
    return Panel(
        sections.CONCURRENCY,
        (
            (
                Graph(
                    "Concurrent executions (Maximum) vs reserved or account limit; throttles",
                    left=left,
                    right=(replace(THROTTLED, label="throttles", color=ORANGE),),
                    lines=lines,
                    left_max=left_max,
                    width=16,
                ),
                Text(note, width=8, height=6),
            ),
        ),
    )
