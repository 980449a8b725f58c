"""`make drill ROW=<row> [LOCAL=1]`: a fire drill. Inject one failure-mode row's fault and check that exactly
the row's alarms reach ALARM within the matrix's minutes, without paging anyone.

    python -m scripts.drill [--row c] [--local] [-c key=value ...]

In AWS (the `drills` configuration deployed, credentials with the stack's RunnerPolicy): mute the row's
notifying alarms with a one-time CloudWatch alarm mute rule that expires on its own at the drill's latest
end (so a killed runner leaves no mute beyond it), start the row's FIS experiment, watch DescribeAlarmHistory
in both regions, stop the experiment as soon as every expected alarm fired (or one that was not expected
did, or the deadline passed), wait for the alarms to recover, delete the mute, and report per alarm the
matrix's minutes against the observed ones. Without --row, every drill in turn, with a summary.

With --local, against `make run` (API and console on loopback): the experiment is a fault file the local
server polls (local/lambda_faults.py), the alarm history is the console's (the offline simulator over the
recorded metrics), nothing notifies so nothing is muted, and us-east-1 alarms are reported as AWS-only.
The runner sends the traffic a drill is sized for (--rate) in both modes; in AWS only with --url.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from observability.drills import (
    DRILLS,
    GUARD_ALARM,
    TAG_DRILL,
    TAG_SERVICE,
    TRAFFIC_PER_MINUTE,
    DrillPlan,
    alarm_facts,
    mute_rule_prefix,
    plan_drill,
)
from observability.model import Composite
from observability.plan import plan as monitoring_plan
from observability.proof import spelled

ALARM, OK = "ALARM", "OK"
TERMINAL = ("completed", "stopped", "failed", "cancelled")
# After the experiment stops, how long its alarms may take to return to OK (a 5-minute period must pass
# clean; the canary runs every 5 minutes) before the drill reports them as not recovered.
RECOVERY_MIN = 12
POLL_S = 20.0
# Execution environments the runner warms before a drill (concurrent requests during its warm-up).
WARM_ENVIRONMENTS = 4


class DrillRefused(RuntimeError):
    """The drill cannot start honestly (an alarm it watches is already in ALARM): nothing was changed."""


@dataclass(frozen=True)
class Transition:
    key: str
    at: float  # epoch seconds
    state: str


class Backend(Protocol):
    """Where a drill runs: AWS (FIS, CloudWatch) or the local server."""

    edge_available: bool

    def mute(self, drill: DrillPlan, until: float) -> None: ...
    def unmute(self, drill: DrillPlan) -> None: ...
    def start(self, drill: DrillPlan) -> str: ...
    def status(self, experiment: str) -> str: ...
    def stop(self, experiment: str) -> None: ...
    def transitions(self, since: float) -> list[Transition]: ...


@dataclass
class Clock:
    now: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep


@dataclass
class AlarmResult:
    key: str
    expected: str  # the matrix's minutes, spelled
    deadline_min: int
    observed_min: float | None = None
    recovered: bool | None = None
    skipped: str = ""  # why it was not checked (an us-east-1 alarm in a local rehearsal)

    @property
    def verdict(self) -> str:
        if self.skipped:
            return "skipped"
        if self.observed_min is None:
            return "MISSING"
        return "pass" if self.observed_min <= self.deadline_min else "LATE"


@dataclass
class Report:
    row: str
    title: str
    experiment: str = ""
    end_state: str = ""
    alarms: list[AlarmResult] = field(default_factory=list)
    unexpected: dict[str, float] = field(default_factory=dict)  # key -> minutes
    # Alarms that notify nobody (a composite's windows) reaching ALARM unexpectedly: reported, not failed on:
    # a busy background can tip one window without a page, and only pages are the drill's business.
    also: dict[str, float] = field(default_factory=dict)
    note: str = ""

    @property
    def passed(self) -> bool:
        return not self.unexpected and all(a.verdict in ("pass", "skipped") for a in self.alarms)

    def lines(self) -> list[str]:
        out = [f"drill {self.row}: {self.title} (experiment {self.experiment}, ended {self.end_state})"]
        out.append(f"  {'alarm':<34} {'matrix':>10} {'observed':>9}  verdict   recovered")
        for a in self.alarms:
            seen = "-" if a.observed_min is None else f"{a.observed_min:.1f} min"
            rec = {True: "yes", False: "NO", None: "-"}[a.recovered]
            verdict = f"skipped: {a.skipped}" if a.skipped else a.verdict
            out.append(f"  {a.key:<34} {a.expected:>10} {seen:>9}  {verdict:<9} {rec}")
        for key, minutes in sorted(self.unexpected.items()):
            out.append(f"  UNEXPECTED {key} reached ALARM after {minutes:.1f} min")
        for key, minutes in sorted(self.also.items()):
            out.append(f"  also {key} reached ALARM after {minutes:.1f} min (notifies nobody: not failed on)")
        if self.note:
            out.append(f"  {self.note}")
        out.append(f"  => {'PASS' if self.passed else 'FAIL'}")
        return out


def run_drill(
    drill: DrillPlan,
    backend: Backend,
    *,
    clock: Clock | None = None,
    poll_s: float = POLL_S,
    recovery_min: float = RECOVERY_MIN,
    quiet: Collection[str] = (),
) -> Report:
    """One drill, start to report. The mute goes first and is bounded in time; whatever interrupts the run
    (an exception, Ctrl-C, SIGTERM), the experiment is stopped and the mute deleted before it returns.
    ``quiet``: the keys of alarms without actions (composites' windows), reported but never failed on."""
    clock = clock or Clock()
    report = Report(drill.row, drill.mode.title)
    expected = {e.key: e for e in drill.expected}
    for e in drill.expected:
        skip = "" if e.region == "home" or backend.edge_available else "us-east-1 alarm: AWS only"
        report.alarms.append(AlarmResult(e.key, spelled((e.lo, e.hi)), e.deadline_min, skipped=skip))
    watched = {a.key for a in report.alarms if not a.skipped}
    last: dict[str, str] = {}
    for t in backend.transitions(clock.now() - 3600):
        last[t.key] = t.state
    busy = sorted(k for k in {*expected, GUARD_ALARM} if last.get(k) == ALARM)
    if busy:
        raise DrillRefused(f"drill {drill.row}: {', '.join(busy)} already in ALARM; wait for OK, then run it again")
    experiment, status = "", ""
    try:
        # Inside the try: a mute that never became active is deleted, and no experiment starts.
        backend.mute(drill, until=clock.now() + (drill.duration_min + recovery_min) * 60)
        experiment = backend.start(drill)
        started = clock.now()
        report.experiment = experiment
        # Watched until the experiment's planned end (past every deadline), so a late alarm is seen as late.
        deadline = started + drill.duration_min * 60
        fired: dict[str, float] = {}
        while True:
            for t in backend.transitions(started):
                if t.state == ALARM and t.key not in fired:
                    fired[t.key] = max(0.0, (t.at - started) / 60)
            status = backend.status(experiment)
            unexpected = set(fired) - set(expected) - set(quiet)
            if watched <= set(fired) or unexpected or status in TERMINAL or clock.now() >= deadline:
                break
            clock.sleep(poll_s)
        for a in report.alarms:
            if not a.skipped:
                a.observed_min = fired.get(a.key)
        report.unexpected = {k: v for k, v in fired.items() if k not in expected and k not in quiet}
        report.also = {k: v for k, v in fired.items() if k not in expected and k in quiet}
        if status in TERMINAL and status != "completed":
            report.note = f"the experiment {status} before the drill was done (its guard alarm stops it)"
        if status not in TERMINAL:
            backend.stop(experiment)
            status = "stopped by the runner"
        report.end_state = status
        _await_recovery(report, backend, started, clock, poll_s, recovery_min, set(fired) - set(report.also))
    finally:
        try:
            if experiment and status not in TERMINAL and not status.startswith("stopped"):
                backend.stop(experiment)  # interrupted: the fault must not outlive the runner's watch
        finally:
            backend.unmute(drill)
    return report


def _await_recovery(
    report: Report, backend: Backend, started: float, clock: Clock, poll_s: float, recovery_min: float, fired: set[str]
) -> None:
    if not fired or recovery_min <= 0:
        return
    until = clock.now() + recovery_min * 60
    recovered: set[str] = set()
    while True:
        last: dict[str, str] = {}
        for t in backend.transitions(started):
            last[t.key] = t.state
        recovered = {k for k in fired if last.get(k) == OK}
        if recovered == fired or clock.now() >= until:
            break
        clock.sleep(poll_s)
    for a in report.alarms:
        if a.key in fired:
            a.recovered = a.key in recovered
    if fired - recovered:
        report.note = (report.note + "; " if report.note else "") + (
            f"not back to OK within {recovery_min:g} min: {sorted(fired - recovered)}"
        )


# ---- AWS ------------------------------------------------------------------------------------------------


def _history_state(item: Mapping[str, Any]) -> str | None:
    try:
        return str(json.loads(item["HistoryData"])["newState"]["stateValue"])
    except (KeyError, TypeError, ValueError):
        return None


class AwsBackend:
    """FIS experiments from the Drills stack; alarm history and mute rules in the home region and us-east-1."""

    edge_available = True

    def __init__(
        self,
        *,
        service_name: str,
        fis: Any,
        cloudwatch: Mapping[str, Any],  # "home" / "edge" -> a CloudWatch client of that region
        alarm_names: Mapping[str, str],  # alarm name -> key
        clock: Clock | None = None,
        mute_wait_s: float = 90,
    ) -> None:
        self.service_name, self.fis, self.cloudwatch, self.names = service_name, fis, cloudwatch, alarm_names
        self.clock = clock or Clock()
        self.mute_wait_s = mute_wait_s
        self._tags = (TAG_SERVICE, TAG_DRILL)
        self._prefix = mute_rule_prefix(service_name)
        self._muted: list[tuple[str, str]] = []  # (region, rule name)

    def template_id(self, row: str) -> str:
        service_tag, drill_tag = self._tags
        token: str | None = None
        while True:
            page = self.fis.list_experiment_templates(**({"nextToken": token} if token else {}))
            for t in page.get("experimentTemplates", []):
                tags = t.get("tags", {})
                if tags.get(service_tag) == self.service_name and tags.get(drill_tag) == row:
                    return str(t["id"])
            token = page.get("nextToken")
            if not token:
                raise LookupError(f"no FIS template for drill {row} of {self.service_name}: deploy with -c drills=true")

    def mute(self, drill: DrillPlan, until: float) -> None:
        """A one-time mute rule per region, from the next minute until ``until`` (it expires by itself)."""
        now = self.clock.now()
        begin = datetime.fromtimestamp(math.ceil(now / 60) * 60, UTC)
        end = datetime.fromtimestamp(until, UTC) + timedelta(minutes=1)
        minutes = math.ceil((end - begin).total_seconds() / 60)
        name = f"{self._prefix}{drill.row}"
        for region in ("home", "edge"):
            targets = sorted(
                n
                for n, k in self.names.items()
                if any(e.key == k and e.region == region and e.notify for e in drill.expected)
            )
            if not targets:
                continue
            self.cloudwatch[region].put_alarm_mute_rule(
                Name=name,
                Description=f"fire drill {drill.row} ({drill.mode.title}); expires by itself",
                Rule={"Schedule": {"Expression": f"at({begin:%Y-%m-%dT%H:%M})", "Duration": f"PT{minutes}M"}},
                MuteTargets={"AlarmNames": targets},
                ExpireDate=end,
            )
            self._muted.append((region, name))
        # The experiment starts only once every mute is active: a page must never beat the mute.
        give_up = now + self.mute_wait_s
        for region, rule in self._muted:
            while self.cloudwatch[region].get_alarm_mute_rule(AlarmMuteRuleName=rule).get("Status") != "ACTIVE":
                if self.clock.now() >= give_up:
                    raise TimeoutError(f"mute rule {rule} ({region}) is not active after {self.mute_wait_s:g} s")
                self.clock.sleep(5)

    def unmute(self, drill: DrillPlan) -> None:
        while self._muted:
            region, rule = self._muted.pop()
            self.cloudwatch[region].delete_alarm_mute_rule(AlarmMuteRuleName=rule)

    def start(self, drill: DrillPlan) -> str:
        response = self.fis.start_experiment(
            clientToken=str(uuid.uuid4()),
            experimentTemplateId=self.template_id(drill.row),
            tags={self._tags[1]: drill.row},
        )
        return str(response["experiment"]["id"])

    def status(self, experiment: str) -> str:
        return str(self.fis.get_experiment(id=experiment)["experiment"]["state"]["status"])

    def stop(self, experiment: str) -> None:
        self.fis.stop_experiment(id=experiment)

    def transitions(self, since: float) -> list[Transition]:
        found: list[Transition] = []
        for client in self.cloudwatch.values():
            token: str | None = None
            while True:
                page = client.describe_alarm_history(
                    HistoryItemType="StateUpdate",
                    StartDate=datetime.fromtimestamp(since - 60, UTC),
                    EndDate=datetime.fromtimestamp(self.clock.now() + 60, UTC),
                    ScanBy="TimestampAscending",
                    **({"NextToken": token} if token else {}),
                )
                for item in page.get("AlarmHistoryItems", []):
                    key, state = self.names.get(item.get("AlarmName", "")), _history_state(item)
                    if key and state and item["Timestamp"].timestamp() >= since:
                        found.append(Transition(key, item["Timestamp"].timestamp(), state))
                token = page.get("NextToken")
                if not token:
                    break
        return sorted(found, key=lambda t: t.at)


# ---- local ----------------------------------------------------------------------------------------------


class LocalBackend:
    """`make run`: fault files in the server's FIS folder, alarm history from its console."""

    edge_available = False

    def __init__(self, *, fis_dir: Path, console_url: str, clock: Clock | None = None) -> None:
        self.fis_dir, self.console_url, self.clock = fis_dir, console_url.rstrip("/"), clock or Clock()
        self._files: dict[str, Path] = {}
        self._seen: dict[tuple[str, float, str], float] = {}

    def mute(self, drill: DrillPlan, until: float) -> None:
        """Nothing to mute: the local console notifies nobody."""

    def unmute(self, drill: DrillPlan) -> None:
        pass

    def start(self, drill: DrillPlan) -> str:
        now = self.clock.now()
        experiment = f"local-{drill.row}-{uuid.uuid4().hex[:8]}"
        doc = {**drill.action, "startTime": now, "endTime": now + drill.duration_min * 60}
        self.fis_dir.mkdir(parents=True, exist_ok=True)
        path = self.fis_dir / f"{experiment}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        tmp.replace(path)  # the server never reads half a file
        self._files[experiment] = path
        return experiment

    def status(self, experiment: str) -> str:
        path = self._files.get(experiment)
        if not path or not path.exists():
            return "stopped"
        doc = json.loads(path.read_text(encoding="utf-8"))
        return "running" if self.clock.now() < doc["endTime"] else "completed"

    def stop(self, experiment: str) -> None:
        path = self._files.pop(experiment, None)
        if path:
            path.unlink(missing_ok=True)

    def transitions(self, since: float) -> list[Transition]:
        with urllib.request.urlopen(f"{self.console_url}/dashboard.json", timeout=30) as response:  # noqa: S310
            doc = json.load(response)
        # The console stamps a change with the minute its evaluation starts (over complete minutes), so a
        # change is dated when this runner first saw it, never before its minute: minutes are upper bounds.
        first, now = math.floor(since / 60) * 60, self.clock.now()
        found = []
        for a in doc["alarms"]:
            for h in a.get("history") or []:
                if h["at"] >= first:
                    seen = self._seen.setdefault((a["key"], float(h["at"]), h["state"]), now)
                    found.append(Transition(a["key"], max(float(h["at"]), seen), h["state"]))
        return sorted(found, key=lambda t: t.at)


class Traffic:
    """The requests a drill is sized for, spread evenly over loopback or the API's URL (bounded: it stops
    with the drill). Alternates GET /health and GET /orders, as the canary does."""

    def __init__(self, base_url: str, rate_per_s: float) -> None:
        self.base_url, self.rate = base_url.rstrip("/"), rate_per_s
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Traffic:
        if self.rate > 0:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=15)

    def _run(self) -> None:
        paths = itertools.cycle(("/health", "/orders"))
        workers: list[threading.Thread] = []
        while not self._stop.wait(1 / self.rate):
            t = threading.Thread(target=self._one, args=(next(paths),), daemon=True)  # a slow answer blocks no one
            t.start()
            workers = [w for w in workers if w.is_alive()] + [t]
        for w in workers:
            w.join(timeout=15)

    def warm(self, environments: int) -> None:
        """``environments`` requests at once, so that many execution environments exist before the fault
        holds one (a cold start per request under a held one is what throttles a small pool)."""
        batch = [threading.Thread(target=self._one, args=("/health",), daemon=True) for _ in range(environments)]
        for t in batch:
            t.start()
        for t in batch:
            t.join(timeout=60)

    def _one(self, path: str) -> None:
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=15) as r:  # noqa: S310
                r.read()
        except (urllib.error.URLError, OSError):
            pass  # a failing answer is the drill's point
        self.sent += 1


# ---- command line ---------------------------------------------------------------------------------------


def _config(args: Sequence[str]) -> Any:
    from settings.config import cli_context, load_config

    return load_config(cli_context(args))


def plans(rows: Iterable[str], config: Any, *, low_traffic: bool, traffic_per_minute: int) -> list[DrillPlan]:
    p = monitoring_plan(config.monitoring, reserved_concurrency=config.reserved_concurrency)
    facts = alarm_facts(p.alarms)
    return [
        plan_drill(
            r, facts, timeout_s=config.timeout_seconds, low_traffic=low_traffic, traffic_per_minute=traffic_per_minute
        )
        for r in rows
    ]


def _run_all(
    drills: Sequence[DrillPlan], backend: Backend, args: argparse.Namespace, base_url: str, poll: float, quiet: set[str]
) -> list[Report] | int:
    """Every drill in turn, each report printed as it ends; an exit status instead when one cannot run."""
    reports = []
    for drill in drills:
        print(
            f"drill {drill.row}: {drill.action['actionId']} {drill.action['parameters']} for {drill.duration_min} min, "
            f"expecting {', '.join(e.key for e in drill.expected)}",
            flush=True,
        )
        with Traffic(base_url, args.rate if base_url else 0) as traffic:
            # Warm environments first: a cold burst throttles locally and in a quiet stage, and the guard fires.
            if base_url:
                traffic.warm(WARM_ENVIRONMENTS)
            time.sleep(args.warmup if args.warmup is not None else (15 if args.local else 60) if base_url else 0)
            try:
                report = run_drill(drill, backend, poll_s=poll, recovery_min=args.recovery_min, quiet=quiet)
            except KeyboardInterrupt:
                print(
                    f"make drill: interrupted; drill {drill.row}'s experiment stopped and its mute deleted",
                    file=sys.stderr,
                )
                return 130
            except (DrillRefused, LookupError, TimeoutError, OSError) as exc:
                print(f"make drill: {exc}", file=sys.stderr)
                return 2
            except Exception as exc:  # botocore's errors (no credentials, AccessDenied), named, not a traceback
                if type(exc).__module__.split(".")[0] not in ("botocore", "boto3"):
                    raise
                print(f"make drill: AWS refused: {exc}", file=sys.stderr)
                return 2
        reports.append(report)
        print("\n".join(report.lines()), flush=True)
    return reports


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make drill", description=__doc__.splitlines()[0])
    parser.add_argument("--row", help=f"one row ({', '.join(d.row for d in DRILLS)}); default: every drill in turn")
    parser.add_argument("--local", action="store_true", help="rehearse against `make run` on loopback")
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="local API (with --local)")
    parser.add_argument("--console", default="http://127.0.0.1:8001", help="local console (with --local)")
    parser.add_argument(
        "--fis-config-dir", type=Path, default=Path(".local/fis"), help="the local server's fault folder"
    )
    parser.add_argument("--url", help="the API's URL to send the drill's traffic to in AWS (default: none)")
    parser.add_argument("--rate", type=float, default=TRAFFIC_PER_MINUTE / 60, help="requests per second sent")
    parser.add_argument("--low-traffic", action="store_true", help="expect the matrix's low-traffic-day alarms")
    parser.add_argument("--poll", type=float, default=None, help="seconds between looks (default 20; 10 locally)")
    parser.add_argument("--warmup", type=float, default=None, help="seconds of traffic first (15 locally, 60 in AWS)")
    parser.add_argument("--recovery-min", type=float, default=RECOVERY_MIN, help="wait this long for OK after")
    parser.add_argument("-c", dest="context", action="append", default=[], help="cdk.json override key=value")
    args = parser.parse_args(argv)
    config = _config([x for kv in args.context for x in ("-c", kv)])
    rows = [args.row] if args.row else [d.row for d in DRILLS]
    try:
        drills = plans(rows, config, low_traffic=args.low_traffic, traffic_per_minute=max(1, round(args.rate * 60)))
    except ValueError as exc:
        print(f"make drill: {exc}", file=sys.stderr)
        return 2
    backend: Backend
    if args.local:
        backend = LocalBackend(fis_dir=args.fis_config_dir, console_url=args.console)
        base_url = args.api
    else:
        import boto3

        cfg = config.monitoring
        names = {
            cfg.alarm_name(a.key): a.key
            for a in monitoring_plan(cfg, reserved_concurrency=config.reserved_concurrency).alarms
        }
        backend = AwsBackend(
            service_name=config.service_name,
            fis=boto3.client("fis", region_name=config.home_region),
            cloudwatch={
                "home": boto3.client("cloudwatch", region_name=config.home_region),
                "edge": boto3.client("cloudwatch", region_name=config.edge_region),
            },
            alarm_names=names,
        )
        base_url = args.url or ""
        if not base_url:
            print(
                f"make drill: no URL=, no traffic of the drill's own: each drill is sized for {round(args.rate * 60)} "
                "requests a minute, and a quiet stage (the canary calls twice every 5 minutes) may leave it MISSING",
                file=sys.stderr,
            )
    monitored = monitoring_plan(config.monitoring, reserved_concurrency=config.reserved_concurrency)
    quiet = {a.key for a in monitored.alarms if not a.notify}
    if args.local:
        # A local rehearsal's history is its warm-up: a burn pair whose long window is hours or days holds little
        # but the drill's own requests and fires where the matrix (judged on 8 hours and 3 days of history) says
        # it does not. Reported, not failed on.
        quiet |= {
            a.key
            for a in monitored.alarms
            if isinstance(a, Composite) and max(c.metric.period_s for c in a.children) > 3600
        }
    # Locally each look rebuilds the console's document inside the server: not more often than this.
    poll = args.poll if args.poll is not None else (10.0 if args.local else POLL_S)
    # SIGTERM (a CI job cancelled) cleans up as Ctrl-C does: the experiment stopped, the mute deleted.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        reports = _run_all(drills, backend, args, base_url, poll, quiet)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if isinstance(reports, int):
        return reports
    if len(reports) > 1:
        print("summary: " + ", ".join(f"{r.row} {'PASS' if r.passed else 'FAIL'}" for r in reports))
    return 0 if all(r.passed for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
