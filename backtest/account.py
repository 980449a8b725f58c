"""The account as a history source: GetMetricData for every metric the alarms read.

- Retention: CloudWatch keeps 1-minute datapoints for 15 days, 5-minute for 63 days, 1-hour for 455 days.
  The window is cut into stretches by age, each fetched at the finest period it still has (``stretches``);
  the report says which stretch was judged at which resolution.
- Limits: one call takes at most 500 queries and returns at most 100,800 datapoints; queries are batched
  so that a batch's datapoints fit one call, and ``NextToken`` pages are followed all the same.
- Sparse metrics: CloudWatch returns no datapoint for a period without data (never a zero), so a minute
  without a datapoint stays missing in the history, as the alarm sees it.
- Throttling: botocore's own retries first, then ``RETRIES`` more with exponential backoff; then a clear
  error. Nothing is written before the whole history is in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from backtest.errors import BacktestError
from backtest.history import History, Metric, Stretch, merge_stats
from backtest.plan import Configured, judged
from backtest.statistics import needed
from observability.simulator.evaluator import EXTRA_DATAPOINTS, AlarmSet
from observability.simulator.series import MetricKey

MAX_QUERIES = 500  # MetricDataQueries per GetMetricData call
MAX_DATAPOINTS = 100_800  # datapoints one call returns at most
# (age in days up to which, period in seconds): CloudWatch's retention of aggregated datapoints.
RETENTION: tuple[tuple[int, int], ...] = ((15, 60), (63, 300), (455, 3600))
LANDING_MIN = 5
RETRIES = 5
BACKOFF_S = 1.0
THROTTLING = frozenset({"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"})

Progress = Callable[[str], None]


def session() -> Any:
    import boto3

    return boto3.Session()


@dataclass(frozen=True)
class Names:
    """Where the stacks live and the deploy-time values their alarms read (from their outputs)."""

    home_region: str
    edge_region: str
    refs: dict[str, str]

    def region(self, alarm_region: str) -> str:
        return self.edge_region if alarm_region == "edge" else self.home_region


def _aws_error(exc: Exception, what: str) -> BacktestError:
    """A one-line error for the usual ways an AWS call fails."""
    name = type(exc).__name__
    if name in ("NoCredentialsError", "PartialCredentialsError", "NoRegionError"):
        return BacktestError(
            f"no AWS credentials for {what} ({exc}): configure a profile (AWS_PROFILE=...) or use the local "
            "recording (make backtest) or a saved file (make backtest FROM=...); nothing was written"
        )
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    message = getattr(exc, "response", {}).get("Error", {}).get("Message", str(exc))
    if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
        return BacktestError(f"{what}: access denied ({message}); see docs/operations.md for the permissions")
    if code in ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "UnrecognizedClientException"):
        return BacktestError(f"{what}: the credentials are not valid ({code}): refresh them; nothing was written")
    return BacktestError(f"{what}: {code or name}: {message}")


def call(fn: Callable[[], Any], what: str, *, progress: Progress, sleep: Callable[[float], None] = time.sleep) -> Any:
    """``fn()``, retried with backoff while CloudWatch throttles; other failures become a BacktestError."""
    from botocore.exceptions import BotoCoreError, ClientError

    for attempt in range(RETRIES + 1):
        try:
            return fn()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code not in THROTTLING:
                raise _aws_error(exc, what) from exc
            if attempt == RETRIES:
                raise BacktestError(
                    f"{what}: CloudWatch kept throttling ({code}) after {RETRIES + 1} attempts: try again later or "
                    "with fewer DAYS=; nothing was written"
                ) from exc
            wait = BACKOFF_S * 2**attempt
            progress(f"  throttled by CloudWatch ({code}); retrying in {wait:g} s ({attempt + 2}/{RETRIES + 1})")
            sleep(wait)
        except BotoCoreError as exc:
            raise _aws_error(exc, what) from exc
    raise AssertionError("unreachable")


def deployed_names(setup: Configured, session: Any, *, progress: Progress | None = None) -> Names:
    """The deploy-time values from the Service and Edge stacks' outputs (cloudformation:DescribeStacks)."""
    config = setup.config
    say = progress or (lambda _: None)
    service = _outputs(session, f"{config.prefix}-Service", config.home_region, say)
    edge = _outputs(session, f"{config.prefix}-Edge", config.edge_region, say)
    refs = {
        "function_name": service.get("FunctionName", ""),
        "table_name": service.get("TableName", ""),
        "log_group_name": service.get("LogGroupName", ""),
        "home_region": config.home_region,
        "distribution_id": edge.get("DistributionId", ""),
        "web_acl_metric_name": edge.get("WebAclName", ""),
    }
    if config.function_alias:
        refs["function_resource"] = f"{refs['function_name']}:{config.function_alias}"
    arn = service.get("FunctionArn", "")
    if arn.count(":") >= 4 and refs["distribution_id"]:
        refs["distribution_arn"] = f"arn:aws:cloudfront::{arn.split(':')[4]}:distribution/{refs['distribution_id']}"
    return Names(config.home_region, config.edge_region, {k: v for k, v in refs.items() if v})


def _outputs(session: Any, stack: str, region: str, progress: Progress) -> dict[str, str]:
    from botocore.exceptions import ClientError

    cfn = session.client("cloudformation", region_name=region)
    try:
        found = call(
            lambda: cfn.describe_stacks(StackName=stack)["Stacks"], f"DescribeStacks {stack}", progress=progress
        )
    except BacktestError as exc:
        cause = exc.__cause__
        if isinstance(cause, ClientError) and "does not exist" in cause.response.get("Error", {}).get("Message", ""):
            raise BacktestError(
                f"no stack {stack} in {region}: deploy it (make deploy), or give the configuration it was "
                "deployed with (HOME_REGION=, CDK_ARGS='-c service_name=...'); nothing was written"
            ) from exc
        raise
    return {o["OutputKey"]: o["OutputValue"] for o in found[0].get("Outputs", [])}


# --- what to fetch -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    region: str
    key: MetricKey
    statistic: str


def queries(alarms: Iterable[tuple[AlarmSet, Callable[[str], str]]]) -> list[Query]:
    """Every (region, metric, per-minute statistic) the alarms need; ``region_of(alarm key)`` per set."""
    out: dict[Query, None] = {}
    for aset, region_of in alarms:
        for k, a in aset.metric_alarms().items():
            for st in a.stats.values():
                for stat in needed(st.statistic):
                    out[Query(region_of(k), st.key, stat)] = None
    return list(out)


def lookback_minutes(aset: AlarmSet) -> int:
    """How far before the judged window the longest evaluation range reaches."""
    return max(
        (a.period_s // 60 * (a.evaluation_periods + EXTRA_DATAPOINTS) for a in aset.metric_alarms().values()), default=0
    )


def stretches(start: int, end: int, now: int) -> list[Stretch]:
    """Epoch minutes [start, end) cut by age at ``now`` into the retention tiers, oldest first. Each boundary
    is rounded up to the hour, so every datapoint asked for is still kept at the period asked for."""
    if start < now - RETENTION[-1][0] * 1440:
        raise BacktestError(
            f"the history would start {(now - start) / 1440:.0f} days ago: CloudWatch keeps metric data for "
            f"{RETENTION[-1][0]} days at most"
        )
    cuts = [min(end, max(start, -(-(now - days * 1440) // 60) * 60)) for days, _ in reversed(RETENTION[:-1])]
    bounds = [start, *cuts, end]
    periods = [period for _, period in reversed(RETENTION)]
    return [Stretch(lo, hi, p) for lo, hi, p in zip(bounds[:-1], bounds[1:], periods, strict=True) if lo < hi]


def batches(qs: Sequence[Query], stretch: Stretch) -> Iterator[list[Query]]:
    """Queries of one region grouped so that one call's datapoints stay within the API's limits."""
    points = max(1, (stretch.end - stretch.first) * 60 // stretch.resolution_s)
    size = max(1, min(MAX_QUERIES, MAX_DATAPOINTS // points))
    for i in range(0, len(qs), size):
        yield list(qs[i : i + size])


def fetch(
    setup: Configured,
    names: Names,
    session: Any,
    *,
    days: float,
    progress: Progress,
    now_s: float | None = None,
    extra: Iterable[tuple[AlarmSet, Callable[[str], str]]] = (),
    sleep: Callable[[float], None] = time.sleep,
) -> History:
    """The last ``days`` of every metric the plan's alarms (and ``extra`` alarm sets) read, per minute where
    retention allows, plus the lookback the longest alarm window needs."""
    now = int((time.time() if now_s is None else now_s) // 60)
    # Whole 5-minute periods, 5 minutes back: the newest minutes are still landing (EMF a minute or two late),
    # and a minute asked for too early would read as missing data.
    end = (now - LANDING_MIN) - (now - LANDING_MIN) % 5
    judged_from = end - int(days * 1440)
    plan_alarms = judged(setup.plan, names.refs)
    regions = {k: names.region(a.region) for k, a in plan_alarms.model.items()}
    sets = [(plan_alarms.evaluator, lambda k: regions[k]), *extra]
    lookback = max(lookback_minutes(s) for s, _ in sets)
    start = max(judged_from - lookback, now - RETENTION[-1][0] * 1440 + 60)
    start -= start % 60
    qs = queries(sets)
    parts = stretches(start, end, now)
    progress(f"backtest: fetching {len(qs)} metric statistics over {(end - start) / 1440:.1f} days")
    metrics = download(session, qs, parts, progress=progress, sleep=sleep)
    return History(
        source=f"the account ({names.home_region} and {names.edge_region}, GetMetricData)",
        start=start,
        end=end,
        judged_from=max(judged_from, start),
        metrics=metrics,
        stretches=tuple(parts),
        refs=names.refs,
    )


def download(
    session: Any,
    qs: Sequence[Query],
    parts: Sequence[Stretch],
    *,
    progress: Progress,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[MetricKey, Metric]:
    """Every query's datapoints over every stretch (at the stretch's period), batched within the limits."""
    calls = [
        (region, s, b)
        for s in parts
        for region in sorted({q.region for q in qs})
        for b in batches([q for q in qs if q.region == region], s)
    ]
    progress(f"  {len(calls)} GetMetricData call(s), before paging")
    metrics: dict[MetricKey, Metric] = {q.key: Metric() for q in qs}
    clients: dict[str, Any] = {}
    for i, (region, s, batch) in enumerate(calls, 1):
        cw = clients.get(region) or clients.setdefault(region, session.client("cloudwatch", region_name=region))
        pages = _get(cw, batch, s, progress=progress, sleep=sleep)
        for q, points in zip(batch, pages, strict=True):
            merge_stats(metrics, q.key, q.statistic, points)
        progress(
            f"  {i}/{len(calls)} ({100 * i // len(calls)} %) {region} {_when(s.first)}..{_when(s.end)} "
            f"at {s.resolution_s // 60} min: {len(batch)} statistics"
        )
    return metrics


def _when(minute: int) -> str:
    return datetime.fromtimestamp(minute * 60, UTC).strftime("%m-%d %H:%MZ")


def _get(
    cw: Any, batch: Sequence[Query], s: Stretch, *, progress: Progress, sleep: Callable[[float], None]
) -> list[list[tuple[int, float]]]:
    """One batch's datapoints per query (epoch minute, value), following NextToken."""
    ids = {f"q{i}": i for i in range(len(batch))}
    out: list[list[tuple[int, float]]] = [[] for _ in batch]
    request: dict[str, Any] = {
        "MetricDataQueries": [
            {
                "Id": qid,
                "MetricStat": {
                    "Metric": {
                        "Namespace": q.key.namespace,
                        "MetricName": q.key.name,
                        "Dimensions": [{"Name": n, "Value": v} for n, v in q.key.dimensions],
                    },
                    "Period": s.resolution_s,
                    "Stat": q.statistic,
                },
                "ReturnData": True,
            }
            for qid, q in zip(ids, batch, strict=True)
        ],
        "StartTime": datetime.fromtimestamp(s.first * 60, UTC),
        "EndTime": datetime.fromtimestamp(s.end * 60, UTC),
        "ScanBy": "TimestampAscending",
        "MaxDatapoints": MAX_DATAPOINTS,
    }
    token: str | None = None
    while True:
        kwargs = {**request, **({"NextToken": token} if token else {})}
        page = call(lambda kw=kwargs: cw.get_metric_data(**kw), "GetMetricData", progress=progress, sleep=sleep)  # type: ignore[misc]  # mypy cannot infer a lambda whose default binds a loop variable (ruff B023)
        for r in page.get("MetricDataResults", []):
            if r.get("StatusCode") in ("InternalError", "Forbidden"):
                raise BacktestError(
                    f"GetMetricData: {r.get('StatusCode')} for {batch[ids[r['Id']]].key}: "
                    f"{'; '.join(m.get('Value', '') for m in r.get('Messages', []))}"
                )
            points = out[ids[r["Id"]]]
            points += [(int(t.timestamp()) // 60, float(v)) for t, v in zip(r["Timestamps"], r["Values"], strict=True)]
        token = page.get("NextToken")
        if not token:
            return out
