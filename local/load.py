"""`make load`: drive the local server with keep-alive clients and check its telemetry.

A benchmark, not a test: it prints figures and the checks' outcome, and exits non-zero only when a
check fails (connection errors, access lines != requests served, a route label outside the
catalogue). Loopback only; bounded by time and by requests per phase; stops by itself.

Without --url it starts its own servers (`python -m local --port 0`, the same as `make run`, each recording
into its own temporary folder), captures their stdout and samples their memory from /proc, per process: the
server, each worker, the emulator. Two of them, side by side: one recording and one started with
--no-recording. The health phase alternates between them in slices (on, off, off, on, ...) so both see the
same machine, and prints their throughput in one table: what the recording costs the request path.
The recording server's telemetry is then checked against what was served: access events in the log group,
the saved query `requests-by-route-and-status` and the console's per-route counts all equal the access lines.

Phases: `health` (GET /health only, with 4 clients) and `mix` (health, create, get, list, summary, delete
and 404s, as a client population would; on the recording server only); then `cleanup` deletes the orders
the run created and did not delete, so a table outlives many runs unchanged.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from local.proc import memory_report, server_cpu, server_memory

ROOT = Path(__file__).resolve().parents[1]
# (weight, name): the mix phase's route shares.
MIX: tuple[tuple[int, str], ...] = (
    (30, "health"),
    (15, "create"),
    (15, "get"),
    (15, "list"),
    (5, "summary"),
    (5, "delete"),
    (10, "get_missing"),
    (5, "unknown_path"),
)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def new_order() -> dict[str, Any]:
    return {
        "customer_id": f"c-{random.randint(1, 50)}",
        "currency": random.choice(["EUR", "USD"]),
        "items": [{"sku": f"SKU-{random.randint(1, 9)}", "quantity": random.randint(1, 3), "unit_price_cents": 250}],
    }


@dataclass
class Phase:
    name: str
    clients: int
    duration_s: float
    max_requests: int
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    connection_errors: Counter[str] = field(default_factory=Counter)
    started: float = 0.0
    elapsed_s: float = 0.0
    cpu_s: dict[str, float] = field(default_factory=dict)  # the server's processes' CPU during the phase, by kind
    away_cpu_s: float = 0.0  # of which its recording used while another server's slices were measured
    _issued: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> bool:
        """One more request within the budget?"""
        with self._lock:
            if self._issued >= self.max_requests or time.perf_counter() - self.started >= self.duration_s:
                return False
            self._issued += 1
            return True

    def record(self, status: int | None, latency_ms: float, error: str | None = None) -> None:
        with self._lock:
            if error:
                self.connection_errors[error] += 1
            else:
                self.statuses[status or 0] += 1
                self.latencies_ms.append(latency_ms)

    @property
    def responses(self) -> int:
        return sum(self.statuses.values())


class Client:
    """One keep-alive connection and the order ids it created."""

    def __init__(self, host: str, port: int, known: list[str], known_lock: threading.Lock) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.known = known
        self.known_lock = known_lock

    def call(self, action: str) -> tuple[str, str, bytes | None]:
        if action == "health":
            return "GET", "/health", None
        if action == "create":
            return "POST", "/orders", json.dumps(new_order()).encode()
        if action == "list":
            return "GET", "/orders?limit=20", None
        if action == "summary":
            return "GET", "/orders/summary", None
        if action == "unknown_path":
            return "GET", f"/no-such-route/{random.randint(1, 1000)}", None
        with self.known_lock:
            order_id = random.choice(self.known) if self.known else None
            if action == "delete" and order_id:
                self.known.remove(order_id)
        if action == "get_missing" or not order_id:
            return "GET", f"/orders/{uuid.uuid4().hex}", None
        return ("DELETE" if action == "delete" else "GET"), f"/orders/{order_id}", None

    def run(self, phase: Phase, actions: list[str]) -> None:
        while phase.take():
            method, path, body = self.call(random.choice(actions))
            headers = {"content-type": "application/json"} if body else {}
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                phase.record(None, 0, type(exc).__name__)
                self.conn.close()
                continue
            phase.record(response.status, (time.perf_counter() - started) * 1000)
            if response.status == 201 and method == "POST":
                with self.known_lock:
                    self.known.append(json.loads(payload)["order_id"])
        self.conn.close()


def run_phase(phase: Phase, url: str, actions: list[str]) -> list[str]:
    """Run one phase; the ids of the orders it created and did not delete."""
    split = urlsplit(url)
    known: list[str] = []
    lock = threading.Lock()
    clients = [Client(split.hostname or "127.0.0.1", split.port or 80, known, lock) for _ in range(phase.clients)]
    phase.started = time.perf_counter()
    threads = [threading.Thread(target=c.run, args=(phase, actions)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    phase.elapsed_s = time.perf_counter() - phase.started
    return known


def cleanup(url: str, order_ids: list[str], budget_s: float = 60.0) -> Phase:
    """Delete the orders a run created and did not delete, one after another (bounded in time): repeated runs
    against one `make run` leave its table as they found it, so the summary route's full scan does not grow
    run after run until it outlasts its SLO."""
    split = urlsplit(url)
    phase = Phase("cleanup", 1, budget_s, len(order_ids))
    conn = http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port or 80, timeout=30)
    phase.started = time.perf_counter()
    for order_id in order_ids:
        if not phase.take():
            break
        started = time.perf_counter()
        try:
            conn.request("DELETE", f"/orders/{order_id}")
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            phase.record(None, 0, type(exc).__name__)
            conn.close()
            continue
        phase.record(response.status, (time.perf_counter() - started) * 1000)
    conn.close()
    phase.elapsed_s = time.perf_counter() - phase.started
    return phase


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def combined(name: str, slices: list[Phase]) -> Phase:
    """Slices of one phase (on one server) as one phase: their requests, latencies and time added up."""
    total = Phase(name, slices[0].clients, sum(s.duration_s for s in slices), sum(s.max_requests for s in slices))
    for s in slices:
        total.latencies_ms += s.latencies_ms
        total.statuses.update(s.statuses)
        total.connection_errors.update(s.connection_errors)
        total.elapsed_s += s.elapsed_s
        for kind, seconds in s.cpu_s.items():
            total.cpu_s[kind] = total.cpu_s.get(kind, 0.0) + seconds
    return total


class OwnServer:
    """`python -m local --port 0` with its stdout captured line by line."""

    def __init__(self, extra_args: list[str], label: str = "") -> None:
        self.label = label
        self.warm_up: Phase | None = None  # requests sent before measuring (counted by the checks)
        env = {k: v for k, v in os.environ.items() if k not in ("DYNAMODB_ENDPOINT_URL",)}
        # Its own recording, not .local/ (a running `make run`'s): one recording per server.
        self.telemetry = tempfile.TemporaryDirectory(prefix="make-load-")
        telemetry = ["--telemetry-dir", self.telemetry.name]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "local", "--port", "0", "--console-port", "0", *telemetry, *extra_args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        first = self.process.stdout.readline() if self.process.stdout else ""
        if "listening on " not in first:
            self.process.kill()
            raise SystemExit(f"the server did not start: {first!r}")
        self.banner = first.strip()
        second = self.process.stdout.readline() if self.process.stdout else ""  # "console on <url> (...)"
        self.console = second.split()[2] if second.startswith("console on ") else None
        self.url = first.split("listening on ")[1].split()[0]
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.memory: list[dict[str, Any]] = []
        self._sampling = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None  # noqa: S101 - set by Popen(stdout=PIPE)
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def _sample(self) -> None:
        while not self._sampling.wait(1.0):
            self.memory.append(server_memory(self.process.pid))

    def sample_now(self) -> dict[str, Any]:
        sample = server_memory(self.process.pid)
        self.memory.append(sample)
        return sample

    def stop(self) -> int:
        self._sampling.set()
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        return code  # the recording stays until its checks ran: self.telemetry.cleanup()


def report_phase(phase: Phase) -> None:
    rate = phase.responses / phase.elapsed_s if phase.elapsed_s else 0
    statuses = ", ".join(f"{s}: {n}" for s, n in sorted(phase.statuses.items()))
    errors = sum(phase.connection_errors.values())
    print(
        f"  {phase.name:<7} clients={phase.clients} requests={phase.responses} in {phase.elapsed_s:.1f} s "
        f"= {rate:.0f}/s  p50={percentile(phase.latencies_ms, 50):.1f} ms  "
        f"p99={percentile(phase.latencies_ms, 99):.1f} ms"
    )
    print(f"          status mix: {statuses or '-'}; connection errors: {errors} {dict(phase.connection_errors) or ''}")


def check_output(lines: list[str], phases: list[Phase]) -> list[str]:
    """Every stdout line is JSON (but the banner and the last line), access lines = requests served."""
    from service.catalogue import NOT_FOUND, ROUTE_LABELS

    problems: list[str] = []
    parsed: list[dict[str, Any]] = []
    for line in lines:
        if line == "orders-api stopped":
            continue
        try:
            parsed.append(json.loads(line))
        except ValueError:
            problems.append(f"not a JSON line: {line[:120]!r}")
    access = [p for p in parsed if p.get("message") == "access"]
    throttles = [p for p in parsed if p.get("message") == "throttled"]
    served = sum(p.responses for p in phases) - sum(p.statuses.get(429, 0) for p in phases) + len(throttles)
    # A 429 is either the throttle (no invocation, its own line) or the API's own 429 (an access line).
    answered = sum(p.responses for p in phases)
    print(
        f"  stdout: {len(lines)} lines, all JSON: {'yes' if len(parsed) == len(lines) - 1 else 'NO'}; "
        f"access lines {len(access)} + throttle lines {len(throttles)} = {len(access) + len(throttles)}, "
        f"responses {answered}"
    )
    if len(access) + len(throttles) != answered or served != answered:
        problems.append(f"access + throttle lines ({len(access) + len(throttles)}) != responses ({answered})")
    labels = Counter(a.get("route") for a in access)
    outside = set(labels) - ROUTE_LABELS - {NOT_FOUND}
    print("  route labels: " + ", ".join(f"{k}: {v}" for k, v in sorted(labels.items(), key=lambda kv: str(kv[0]))))
    if outside:
        problems.append(f"route labels outside the catalogue: {sorted(map(str, outside))}")
    faults = sum(1 for a in access if a.get("Fault") == 1)
    if faults:
        print(f"  access lines with Fault=1: {faults}")
    return problems


def recording_report(rows: list[tuple[str, Phase]]) -> None:
    """The health phase on each server, one row each, and the recording server's share of the other's."""
    load = os.getloadavg()
    print(
        f"  health, recording on vs off, interleaved on one machine ({os.cpu_count()} CPUs, "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end)"
    )
    print(f"    {'recording':<10} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}")
    rates = {}
    for label, phase in rows:
        rates[label] = phase.responses / phase.elapsed_s if phase.elapsed_s else 0.0
        print(
            f"    {label:<10} {phase.responses:>9} {rates[label]:>7.0f} {percentile(phase.latencies_ms, 50):>7.1f} "
            f"{percentile(phase.latencies_ms, 99):>7.1f}"
        )
    if rates.get("off"):
        print(f"    on / off   {100 * rates['on'] / rates['off']:>25.0f} %")
    # CPU per request by process: what the recording costs in CPU, less at the mercy of the machine's load.
    kinds = [k for k in ("server", "workers", "recording") if any(p.cpu_s.get(k) for _, p in rows)]
    print(f"    CPU µs per request: {'':<3}" + " ".join(f"{k:>9}" for k in [*kinds, "total"]))
    for label, phase in rows:
        per = [1e6 * phase.cpu_s.get(k, 0.0) / max(phase.responses, 1) for k in kinds]
        print(f"    {label:<22}" + " ".join(f"{v:>9.0f}" for v in [*per, sum(per)]))
    for label, phase in rows:
        if phase.away_cpu_s >= 0.05:  # the other server's slices shared the cores with this recording
            print(
                f"    NOTE: recording {label}'s process used {phase.away_cpu_s:.2f} s of CPU during the other "
                "server's slices (counted in its row above; it slowed those slices)"
            )


def _message(line: str) -> object:
    try:
        document = json.loads(line)
    except ValueError:
        return None
    return document.get("message") if isinstance(document, dict) else None


def check_recording(directory: Path, lines: list[str], phases: list[Phase]) -> list[str]:
    """The recording equals what was served: access events in the log group, the saved query's count
    (`make query`) and the console's per-route requests all equal the access lines on stdout; the
    Function URL's request count equals the responses."""
    from dashboards.console_document import totals
    from local.insights import run, saved_query
    from local.telemetry import Recorder, log_files
    from service.contract import METRICS_NAMESPACE, SERVICE_NAME

    access = sum(1 for line in lines if _message(line) == "access")
    answered = sum(p.responses for p in phases)
    files = log_files(directory)
    events = 0
    for path in files:
        with path.open(encoding="utf-8") as f:
            events += sum(1 for line in f if json.loads(line).get("message") == "access")
    result = run(saved_query("requests-by-route-and-status").text, files).as_dict()
    column = result["columns"].index("requests")
    queried = sum(int(row[column]) for row in result["rows"])
    data = Recorder(directory, load=True).snapshot()  # the metrics files, read back as the console does
    console = sum(int(row["requests"]) for row in totals(data, METRICS_NAMESPACE, SERVICE_NAME).values())
    url = sum(
        sum(sum(v) for v in minutes.values()) for (ns, name, _), minutes in data.items() if name == "UrlRequestCount"
    )
    print(
        f"  recording: access events {events}, make query requests-by-route-and-status {queried}, console requests "
        f"{console} (access lines {access}); UrlRequestCount {url:.0f} (responses {answered})"
    )
    problems = [
        f"recorded {what} ({got}) != access lines ({access})"
        for what, got in (("access events", events), ("query requests", queried), ("console requests", console))
        if got != access
    ]
    if url != answered:
        problems.append(f"recorded UrlRequestCount ({url:.0f}) != responses ({answered})")
    return problems


def check_alarms(console: str) -> list[str]:
    """A healthy load pages nothing: once the run's last minute is complete (the console judges complete
    minutes only), no notifying alarm may be in ALARM on the server's console."""
    wait = 61.5 - time.time() % 60
    print(f"  alarms: waiting {wait:.0f} s for the run's last minute to complete, then reading {console}")
    time.sleep(wait)
    with urllib.request.urlopen(console + "/dashboard.json", timeout=120) as response:  # noqa: S310 - loopback
        view = json.load(response)["incident"]
    counts = view["counts"]
    at = time.strftime("%H:%M", time.gmtime(view["evaluated_at"]))
    print(
        f"  alarms judged through {at} UTC: {counts['ALARM']} notifying in ALARM, {counts['OK']} OK, "
        f"{counts['INSUFFICIENT_DATA']} without data"
    )
    firing = [f"{a['key']} ({g['severity']}: {a['why']})" for g in view["groups"] for a in g["alarms"]]
    return [f"a healthy load left a notifying alarm in ALARM: {f}" for f in firing]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.load", description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("URL") or None, help="target (loopback); default: own server")
    parser.add_argument("--clients", type=int, default=4, help="keep-alive clients (default 4)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per phase and server (default 10)")
    parser.add_argument("--max-requests", type=int, default=20_000, help="requests per phase at most (default 20000)")
    parser.add_argument("--phases", default="health,mix", help="comma-separated: health, mix (default both)")
    parser.add_argument("--server-args", default="", help="extra arguments for the own server, e.g. '--concurrency 2'")
    parser.add_argument(
        "--recording",
        choices=("both", "on", "off"),
        default="both",
        help="own servers: one recording and one not, side by side (default), or just one of them",
    )
    # 10 one-second slices by default: on an idle 2-core machine one server's rate varies by +-15 % from one
    # 2.5-s slice to the next (4 slices gave on/off 85-95 % for a CPU cost of 1-3 %), and finer interleaving
    # averages that drift out for both servers alike.
    parser.add_argument(
        "--slices", type=int, default=10, help="the health phase alternates servers in this many slices (default 10)"
    )
    args = parser.parse_args(argv)
    if args.url and (urlsplit(args.url).hostname or "") not in LOOPBACK:
        parser.error("--url must be a loopback address: this tool never loads anything else")
    if not 0 < args.duration <= 600 or not 0 < args.max_requests <= 1_000_000:
        parser.error("--duration is 0..600 s and --max-requests 1..1000000")
    if not 1 <= args.slices <= 100:
        parser.error("--slices is 1..100")
    names = [p.strip() for p in args.phases.split(",") if p.strip()]
    for name in names:
        if name not in ("health", "mix"):
            parser.error(f"unknown phase {name!r}")

    servers: list[OwnServer] = []
    if not args.url:
        extra = args.server_args.split()
        if args.recording in ("both", "on"):
            servers.append(OwnServer(extra, "on"))
        if args.recording in ("both", "off"):
            servers.append(OwnServer([*extra, "--no-recording"], "off"))
    for server in servers:
        print(f"make load: {server.url}  [recording {server.label}; {server.banner}]")
        # Every environment warm before anything is measured: cold starts (~1 s each) are not throughput.
        server.warm_up = Phase("warm-up", args.clients, 2.0, 50 * args.clients)
        run_phase(server.warm_up, server.url, ["health"])
        server.sample_now()
    if args.url:
        print(f"make load: {args.url} (external server: no output checks)")

    # Per server label: every phase it served (the warm-up too: the output checks count every request).
    phases: dict[str, list[Phase]] = {s.label: [p for p in (s.warm_up,) if p] for s in servers} or {"": []}
    created: list[str] = []  # orders the run created and still exist: deleted at the end
    all_actions = [name for weight, name in MIX for _ in range(weight)]
    targets = [(s.label, s.url) for s in servers] or [("", args.url)]
    for name in names:
        actions = ["health"] if name == "health" else all_actions
        # The mix runs on the recording server (or the only one): its checks cover the routes.
        here = targets if name == "health" else targets[:1]
        if len(here) == 1:
            phase = Phase(name, args.clients, args.duration, args.max_requests)
            created += run_phase(phase, here[0][1], actions)
            phases[here[0][0]].append(phase)
            report_phase(phase)
            continue
        # Side by side: on, off, off, on, ... so that a change in the machine's load hits both alike.
        slices: dict[str, list[Phase]] = {label: [] for label, _ in here}
        # A server's recording CPU while the other one is measured (a recording that parses in the pause
        # its own server gets): counted for its server too, and shown, as it slows the other's slices.
        away: dict[str, float] = dict.fromkeys(slices, 0.0)
        pids = {s.label: s.process.pid for s in servers}
        for i in range(args.slices):
            for label, url in here if i % 2 == 0 else here[::-1]:
                phase = Phase(name, args.clients, args.duration / args.slices, args.max_requests // args.slices)
                before = {other: server_cpu(pid) for other, pid in pids.items()}
                run_phase(phase, url, actions)
                after = {other: server_cpu(pid) for other, pid in pids.items()}
                phase.cpu_s = {k: v - before[label].get(k, 0.0) for k, v in after[label].items()}
                for other in pids.keys() - {label}:
                    away[other] += after[other]["recording"] - before[other].get("recording", 0.0)
                slices[label].append(phase)
        rows = [(label, combined(name, got)) for label, got in slices.items()]
        for label, phase in rows:
            phase.cpu_s["recording"] = phase.cpu_s.get("recording", 0.0) + away[label]
            phase.away_cpu_s = away[label]
        for label, phase in rows:
            phases[label].append(phase)
            phase.name = f"{name}/{label}"
            report_phase(phase)
        recording_report(rows)
    if created:
        label, url = targets[0]
        phases[label].append(cleanup(url, created))
        report_phase(phases[label][-1])

    every = [p for got in phases.values() for p in got]
    problems = [
        f"{p.name}: {sum(p.connection_errors.values())} connection errors" for p in every if p.connection_errors
    ]
    healthy = "--dynamodb-faults" not in args.server_args and not any(p.statuses.get(429) for p in every)
    judged = [s for s in servers if s.console]  # the recording server's console
    if healthy:
        for server in judged:
            problems += check_alarms(server.console or "")
    for server in servers:
        server.sample_now()
        code = server.stop()
        if code != 0:
            problems.append(f"server (recording {server.label}) exited with {code}")
        print(f"  server with recording {server.label}:")
        problems += check_output(server.lines, phases[server.label])
        if server.label == "on":
            problems += check_recording(Path(server.telemetry.name), server.lines, phases[server.label])
        server.telemetry.cleanup()
        for line in memory_report(server.memory):
            print(f"  {line}")
    for problem in problems:
        print(f"  CHECK FAILED: {problem}")
    checked = ["no connection errors"]
    if servers:
        checked += ["server exit status 0", "stdout all JSON", "access + throttle lines = responses", "route labels"]
        if any(s.label == "on" for s in servers):
            checked.append("the recording = what was served")
        if judged:
            checked.append(
                "no notifying alarm in ALARM on its console"
                if healthy
                else "(faults or throttles were part of the run: alarms not judged)"
            )
    else:
        checked.append("(external server: its output is not checked)")
    print(f"  checks {'passed' if not problems else f'{len(problems)} FAILED'}: " + "; ".join(checked))
    # Not a failure (a burst may be meant to throttle), but never a silent one: say what the run measured.
    answered = sum(p.responses for p in every)
    refused = {s: sum(p.statuses.get(s, 0) for p in every) for s in (429, 500, 502, 503, 504)}
    for status, n in refused.items():
        if answered and n / answered >= 0.01:
            print(f"  NOTE: {n} of {answered} responses ({100 * n / answered:.0f} %) were {status}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
