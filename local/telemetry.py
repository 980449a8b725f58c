"""What the deployed stack would record, recorded locally: the function's log group and CloudWatch metrics.

While the local server runs, a :class:`Recorder` keeps, under the project's ignored ``.local/`` folder
(``--telemetry-dir``):

- ``logs/function-<hour>.jsonl``: the function's log group, one event per line as Logs Insights sees it
  (``@timestamp`` in ms, ``@logStream``, ``@message`` = the line as written, and the fields Logs
  Insights discovers: a JSON line's members, and for Lambda's platform lines ``@type`` = START / END /
  REPORT, ``@requestId``, ``@duration``, ``@billedDuration``, ``@memorySize``, ``@maxMemoryUsed`` and
  ``@initDuration`` on a cold start);
- ``metrics/metrics-<hour>.jsonl``: every metric value published, one per line (namespace, name,
  dimensions, values, time), so the console keeps its history across restarts.

Metrics come from two places, as in AWS: the service's own from its EMF documents (``observability.emf``,
the EMF specification's rules, the only parser), the platform's (``AWS/Lambda``, the Function URL counters,
``AWS/DynamoDB``) from what the local server observed. In memory and on disk only the last
``retention_s`` are kept (default 3 hours): older minutes and hour files are dropped as time moves on.
The local server runs its Recorder in a process of its own (local/recording.py), fed by ``take``.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import threading
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from local.events import FUNCTION_NAME
from observability.aws_published import PlatformMetrics
from observability.emf import extract

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / ".local"
RETENTION_S = 3 * 3600
FLUSH_S = 0.5

# The fields of Lambda's REPORT line (text log format, tab-separated) and the names Logs Insights gives them.
_REPORT_FIELDS = {
    "Duration": "@duration",
    "Billed Duration": "@billedDuration",
    "Memory Size": "@memorySize",
    "Max Memory Used": "@maxMemoryUsed",
    "Init Duration": "@initDuration",
}

Dimensions = tuple[tuple[str, str], ...]
MetricId = tuple[str, str, Dimensions]  # namespace, name, sorted dimensions


def platform_fields(text: str) -> dict[str, Any]:
    """The fields Logs Insights discovers in a Lambda platform line (empty for any other line)."""
    head, _, rest = text.partition(" RequestId: ")
    if head not in ("START", "END", "REPORT"):
        return {}
    parts = rest.rstrip("\n").split("\t")
    request_id = parts[0].split(" ", 1)[0]
    out: dict[str, Any] = {"@type": head, "@requestId": request_id}
    for part in parts[1:]:
        key, _, value = part.partition(": ")
        if key in _REPORT_FIELDS:
            with contextlib.suppress(ValueError, IndexError):  # not a number: not discovered
                out[_REPORT_FIELDS[key]] = float(value.split()[0])
    return out


def platform_lines(
    request_id: str, duration_ms: float, memory_mb: int, max_memory_mb: int, init_ms: float | None
) -> tuple[str, str, str]:
    """START, END and REPORT as Lambda writes them. Billed Duration is the duration rounded up to the ms,
    plus the init phase on a cold start (managed runtimes' INIT is billed since August 2025)."""
    billed = _billed_ms(duration_ms, init_ms)
    report = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory_mb} MB\tMax Memory Used: {max_memory_mb} MB\t"
    )
    if init_ms is not None:
        report += f"Init Duration: {init_ms:.2f} ms\t"
    return f"START RequestId: {request_id} Version: $LATEST", f"END RequestId: {request_id}", report


def _billed_ms(duration_ms: float, init_ms: float | None) -> int:
    return math.ceil(duration_ms) + (math.ceil(init_ms) if init_ms is not None else 0)


def log_event(text: str, stream: str, timestamp_ms: int) -> dict[str, Any]:
    """One log event as Logs Insights sees it: @-fields plus the members of a JSON line."""
    event: dict[str, Any] = {"@timestamp": timestamp_ms, "@logStream": stream, "@message": text}
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except ValueError:
            document = None
        if isinstance(document, dict):
            event.update({k: v for k, v in document.items() if not k.startswith("@")})
    else:
        event.update(platform_fields(text))
    return event


_quoted = json.encoder.encode_basestring_ascii  # C: a str as a JSON string, quotes included


_START_END = (("START", "START RequestId: "), ("END", "END RequestId: "))
# A REPORT line exactly as platform_lines writes it: its fields without splitting it up in Python.
_REPORT_LINE = re.compile(
    r"REPORT RequestId: ([^\s]+)\tDuration: ([0-9.]+) ms\tBilled Duration: ([0-9]+) ms\tMemory Size: ([0-9]+) MB"
    r"\tMax Memory Used: ([0-9]+) MB\t(?:Init Duration: ([0-9.]+) ms\t)?"
)


def _head(text: str, stream: str, timestamp_ms: int) -> str:
    """A serialized event's first members, up to and including @message (the object still open)."""
    return f'{{"@timestamp":{timestamp_ms},"@logStream":{_quoted(stream)},"@message":{_quoted(text)}'


def platform_events(ended: Ended, stream: str, timestamp_ms: int) -> tuple[str, str]:
    """An invocation's END and REPORT events (``event_line`` of ``platform_lines``' END and REPORT), built
    from its numbers rather than parsed back out of the lines just written (the REPORT's numbers as the line
    prints them: 2 decimals)."""
    request_id, duration_ms, memory_mb, max_memory_mb, init_ms = ended
    _, end, report = platform_lines(*ended)
    rid = _quoted(request_id)
    report_event = (
        f'{_head(report, stream, timestamp_ms)},"@type":"REPORT","@requestId":{rid},'
        f'"@duration":{float(f"{duration_ms:.2f}")!r},"@billedDuration":{float(_billed_ms(duration_ms, init_ms))!r},'
        f'"@memorySize":{float(memory_mb)!r},"@maxMemoryUsed":{float(max_memory_mb)!r}'
    )
    init = f',"@initDuration":{float(f"{init_ms:.2f}")!r}' if init_ms is not None else ""
    return f'{_head(end, stream, timestamp_ms)},"@type":"END","@requestId":{rid}}}', report_event + init + "}"


def event_line(text: str, stream: str, timestamp_ms: int) -> tuple[str, dict[str, Any] | None]:
    """``log_event`` serialized (compact JSON), and the line's JSON document when it is one.

    The same event, built faster: a JSON object line's members are spliced in as written rather than
    parsed and serialized again (the access line is most of the recording's bytes)."""
    head = _head(text, stream, timestamp_ms)
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        for kind, prefix in _START_END:  # two of every invocation's three platform lines: no fields to parse
            if text.startswith(prefix) and "\t" not in text:
                request_id = _quoted(text[len(prefix) :].rstrip("\n").split(" ", 1)[0])
                return f'{head},"@type":"{kind}","@requestId":{request_id}}}', None
        report = _REPORT_LINE.fullmatch(text)
        if report:  # the third: its numbers as matched (each a float, as platform_fields makes them)
            request_id, duration, billed, size, used, init = report.groups()
            report_event = (
                f'{head},"@type":"REPORT","@requestId":{_quoted(request_id)},"@duration":{float(duration)!r},'
                f'"@billedDuration":{float(billed)!r},"@memorySize":{float(size)!r},"@maxMemoryUsed":{float(used)!r}'
            )
            return (report_event + f',"@initDuration":{float(init)!r}}}' if init else report_event + "}"), None
        fields = platform_fields(text)
        if not fields:
            return head + "}", None
        # @type and @requestId are strings, the rest finite numbers (a float's repr is its JSON)
        members = [f'"@type":"{fields.pop("@type")}","@requestId":{_quoted(fields.pop("@requestId"))}']
        members += [f'"{k}":{v!r}' if math.isfinite(v) else f'"{k}":{json.dumps(v)}' for k, v in fields.items()]
        return head + "," + ",".join(members) + "}", None
    try:
        document = json.loads(stripped)
    except ValueError:
        return head + "}", None
    if not isinstance(document, dict):
        return head + "}", None
    if document and "@" not in "".join(document):  # no member Logs Insights would not discover as written
        return head + "," + stripped[1:].lstrip(), document
    event = log_event(text, stream, timestamp_ms)
    return json.dumps(event, separators=(",", ":"), default=str), document


@dataclass
class _HourFiles:
    """Append-only JSON-lines files, one per UTC hour, older than the retention deleted."""

    directory: Path
    prefix: str
    retention_s: float
    clock: Callable[[], float] = time.time
    _hour: str = ""
    _span: tuple[float, float] = (0.0, 0.0)  # [start, end) of the open file's hour, epoch seconds
    _file: IO[str] | None = None

    def write(self, lines: Iterable[tuple[float, str]]) -> None:
        """Append lines (time, text) in order: one write per hour file, not one per line."""
        chunk: list[str] = []
        for t, line in lines:
            if not self._span[0] <= t < self._span[1]:
                self._write(chunk)
                chunk = []
                start = t - t % 3600
                self._span = (start, start + 3600)
                hour = datetime.fromtimestamp(start, UTC).strftime("%Y%m%dT%H")
                if hour != self._hour:
                    self._open(hour)
            chunk.append(line)
        self._write(chunk)
        if self._file:
            self._file.flush()

    def _write(self, chunk: list[str]) -> None:
        if chunk and self._file:
            chunk.append("")
            self._file.write("\n".join(chunk))

    def _open(self, hour: str) -> None:
        self.close()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._hour = hour
        self._file = (self.directory / f"{self.prefix}-{hour}.jsonl").open("a", encoding="utf-8")
        self.prune()

    def prune(self, now: float | None = None) -> None:
        cutoff = (now or self.clock()) - self.retention_s - 3600  # a file holds up to an hour
        for path in self.files():
            stamp = path.stem.rsplit("-", 1)[-1]
            with contextlib.suppress(ValueError, OSError):
                if datetime.strptime(stamp, "%Y%m%dT%H").replace(tzinfo=UTC).timestamp() < cutoff:
                    path.unlink()

    def files(self) -> list[Path]:
        return sorted(self.directory.glob(f"{self.prefix}-*.jsonl"))

    def close(self) -> None:
        if self._file:
            self._file.close()
            self._file = None
        self._hour, self._span = "", (0.0, 0.0)


# A metric value as handed over on the request path: (time, namespace, name, dimensions, values).
_Value = tuple[float, str, str, "Mapping[str, str] | Dimensions", "float | Iterable[float]"]
# An observation of the platform's: (time, PlatformMetrics's method, its arguments).
_Call = tuple[float, str, tuple[Any, ...]]


# An invocation's END and REPORT as numbers (request id, duration ms, memory MB, max memory MB, init ms or
# None): handed over as they are, written out by platform_lines when recorded, not on the request path.
Ended = tuple[str, float, int, int, "float | None"]


class HandOver:
    """The request path's side of a recording: ``function_line``, ``server_line`` and ``add`` only append to
    a queue with the time they were called (deque.append is atomic: the request path takes no lock).
    :class:`Recorder` parses what it queued; local.recording's ``RecordingProcess`` ships it to its process."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._lines: deque[tuple[float, bytes | str | Ended, str]] = deque()
        self._values: deque[_Value] = deque()
        self._calls: deque[_Call] = deque()

    def function_line(self, line: bytes | str | Ended, stream: str = "local") -> None:
        """A line the function (or the Lambda platform for it) wrote to its log group; an ``Ended`` tuple
        stands for an invocation's END and REPORT lines."""
        self._lines.append((self.clock(), line, stream))

    def server_line(self, line: bytes) -> None:
        """A line of the local server itself: only its access lines (requests it refused on the function's
        behalf) belong to the function's log group; throttles and its own notes do not."""
        if b'"message":"access"' in line:
            self.function_line(line, "local-front-end")

    def add(
        self,
        namespace: str,
        name: str,
        dimensions: Mapping[str, str],
        values: float | Iterable[float],
        t: float | None = None,
    ) -> None:
        """Publish values of one metric (one dimension set) at time ``t`` (now by default). They are read
        later, in a batch: pass a mapping nobody changes afterwards."""
        self._values.append((self.clock() if t is None else t, namespace, name, dimensions, values))

    # What the platform publishes (observability.aws_published.PlatformMetrics, whose calls these are): one
    # append per observation, the values it makes (2-6) made by the Recorder when it records.

    def url_answered(self, status: int, latency_ms: float) -> None:
        self._calls.append((self.clock(), "url_answered", (status, latency_ms)))

    def throttled(self) -> None:
        self._calls.append((self.clock(), "throttled", ()))

    def invoked(self, duration_ms: float, *, error: bool, concurrent: int) -> None:
        self._calls.append((self.clock(), "invoked", (duration_ms, error, concurrent)))

    def dynamodb_call(self, table: str | None, operation: str | None, outcome: str, latency_ms: float) -> None:
        self._calls.append((self.clock(), "dynamodb_call", (table, operation, outcome, latency_ms)))


class _At:
    """PlatformMetrics's sink while the Recorder replays the calls handed over: values at the call's time."""

    def __init__(self, values: list[_Value]) -> None:
        self.values = values
        self.t = 0.0

    def add(self, namespace: str, name: str, dimensions: Mapping[str, str], value: float) -> None:
        self.values.append((self.t, namespace, name, dimensions, value))


def _replay(calls: Iterable[_Call], function_name: str) -> list[_Value]:
    """The values PlatformMetrics publishes for the calls, each at the time of its call."""
    at = _At([])
    platform = PlatformMetrics(at, function_name)
    for t, call, args in calls:
        at.t = t
        if call == "invoked":
            platform.invoked(args[0], error=args[1], concurrent=args[2])
        else:
            getattr(platform, call)(*args)
    return at.values


class Recorder(HandOver):
    """The local log group and metric store; thread-safe, bounded to the last ``retention_s``.

    Off the request path: ``function_line`` and ``add`` only append to a queue (with the time they were
    called); parsing, EMF extraction and file writes happen in batches, every ``FLUSH_S`` on the
    recorder's own thread, and whenever a reader asks (``snapshot``, ``flush``). So the in-memory metrics
    a reader gets are exact up to the moment it asks, and the files (what `make query` reads) are at most
    ``FLUSH_S`` behind.
    """

    def __init__(
        self,
        directory: Path = DEFAULT_DIR,
        *,
        retention_s: float = RETENTION_S,
        clock: Callable[[], float] = time.time,
        load: bool = True,
        function_name: str = FUNCTION_NAME,
    ) -> None:
        self.directory = directory
        self.function_name = function_name  # the dimension of the platform's metrics (url_answered, ...)
        super().__init__(clock)
        self.retention_s = retention_s
        self._lock = threading.Lock()  # the in-memory metrics
        self._batch_lock = threading.Lock()  # one batch at a time, in arrival order
        self._metrics: dict[MetricId, dict[int, array[float]]] = {}
        self._dims: dict[Any, Dimensions] = {}  # dimension mappings seen -> their sorted tuple
        self.logs = _HourFiles(directory / "logs", "function", retention_s, clock)
        self.metric_files = _HourFiles(directory / "metrics", "metrics", retention_s, clock)
        self.started = clock()
        if load:
            self._load()
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        # Called before each batch: hands over what another holder kept unparsed (local.recording's frames,
        # which records them a few at a time with record_batch).
        self.before_batch: Callable[[], None] | None = None

    def take(
        self,
        lines: Iterable[tuple[float, bytes | str | Ended, str]],
        values: Iterable[_Value],
        calls: Iterable[_Call] = (),
    ) -> None:
        """What another process handed over, in order: (time, line, stream) as ``function_line`` queues
        them, (time, namespace, name, dimensions, values) as ``add`` does, and the platform's observations
        as ``url_answered`` & co. do (local.recording)."""
        self._lines.extend(lines)
        self._values.extend(values)
        self._calls.extend(calls)

    # ---- batches: parse, extract, store, write ---------------------------------------------------

    def _process(self) -> None:
        """Record what was handed over, and what another holder kept unparsed (``before_batch``)."""
        if self.before_batch:
            self.before_batch()
        self.record_batch()

    def record_batch(self) -> None:
        """Turn what was handed over since the last batch into log events and metric values: in memory
        (exact for the next reader), and on disk."""
        with self._batch_lock:
            lines, values = _drain(self._lines), _drain(self._values)
            values += _replay(_drain(self._calls), self.function_name)
            events: list[tuple[float, str]] = []
            # Values of one metric within one second become one record: the console and the alarm
            # simulator count per minute, so nothing they read changes; the files get ~100x fewer lines.
            grouped: dict[tuple[str, str, Dimensions, int], list[float]] = {}  # -> [first t, values...]
            for now, line, stream in lines:
                if isinstance(line, tuple):  # an invocation's END and REPORT, one event each
                    events += [(now, e) for e in platform_events(line, stream, int(now * 1000))]
                    continue
                text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
                text = text.rstrip("\n")
                if not text:
                    continue
                try:
                    event, document = event_line(text, stream, int(now * 1000))
                except Exception:  # whatever a line holds, it is recorded and the batch goes on
                    event = json.dumps({"@timestamp": int(now * 1000), "@logStream": stream, "@message": text})
                    document = None
                events.append((now, event))
                if document and "_aws" in document:  # EMF: the service's metrics, from the access line itself
                    for datum in extract(document):
                        t = datum.timestamp_ms / 1000
                        key = (datum.namespace, datum.name, datum.dimensions, int(t))
                        entry = grouped.get(key)
                        if entry is None:
                            entry = grouped[key] = [t]
                        entry += datum.values
            seen: dict[int, Dimensions] = {}  # id of a dimension mapping of this batch -> its sorted tuple
            for t, namespace, name, dimensions, vals in values:
                dims = seen.get(id(dimensions))  # most values share a few mappings (alive in `values` meanwhile)
                if dims is None:
                    dims = seen[id(dimensions)] = (
                        dimensions if isinstance(dimensions, tuple) else self._sorted(dimensions)
                    )
                key = (namespace, name, dims, int(t))
                entry = grouped.get(key)
                if entry is None:
                    entry = grouped[key] = [t]
                if isinstance(vals, int | float):
                    entry.append(float(vals))
                else:
                    entry += [float(v) for v in vals]
            with self._lock:
                for (namespace, name, dims, _), entry in grouped.items():
                    self._store((namespace, name, dims), entry[0], entry[1:])
            records = [
                (entry[0], json.dumps({"t": round(entry[0], 3), "ns": ns, "n": n, "d": dict(dims), "v": entry[1:]}))
                for (ns, n, dims, _), entry in grouped.items()
            ]
            records.sort(key=lambda r: r[0])
            self.logs.write(events)
            self.metric_files.write(records)

    def _sorted(self, dimensions: Mapping[str, str]) -> Dimensions:
        items = tuple(dimensions.items())
        found = self._dims.get(items)
        if found is None:
            if len(self._dims) > 4096:  # bounded, whatever dimension values arrive
                self._dims.clear()
            found = self._dims[items] = tuple(sorted((k, str(v)) for k, v in items))
        return found

    def _store(self, key: MetricId, t: float, vals: list[float]) -> None:
        minutes = self._metrics.setdefault(key, {})
        minutes.setdefault(int(t // 60), array("d")).extend(vals)

    # ---- readers ---------------------------------------------------------------------------------

    def snapshot(self) -> dict[MetricId, dict[int, tuple[float, ...]]]:
        """Every metric: epoch minute -> the values published in it (a copy), up to this call."""
        self._process()
        with self._lock:
            return {k: {m: tuple(v) for m, v in minutes.items()} for k, minutes in self._metrics.items()}

    def first_minute(self) -> int | None:
        self._process()
        with self._lock:
            found = [min(m) for m in self._metrics.values() if m]
        return min(found) if found else None

    # ---- housekeeping ---------------------------------------------------------------------------

    def start(self) -> Recorder:
        self._flusher = threading.Thread(target=self._flush_loop, daemon=True)
        self._flusher.start()
        return self

    def _flush_loop(self) -> None:
        while not self._stop.wait(FLUSH_S):
            self.flush()

    def flush(self) -> None:
        """Record what arrived (memory and files); forget minutes older than the retention."""
        self._process()
        with self._lock:
            cutoff = int((self.clock() - self.retention_s) // 60)
            for minutes in self._metrics.values():
                for m in [m for m in minutes if m < cutoff]:
                    del minutes[m]

    def close(self) -> None:
        self._stop.set()
        if self._flusher:
            self._flusher.join(timeout=5)
        self.flush()
        self.logs.close()
        self.metric_files.close()

    def _load(self) -> None:
        cutoff = self.clock() - self.retention_s
        for path in self.metric_files.files():
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    try:
                        r = json.loads(line)
                    except ValueError:
                        continue  # a line cut short when the server was killed
                    if r["t"] >= cutoff:
                        self._store((r["ns"], r["n"], tuple(sorted(r["d"].items()))), r["t"], r["v"])


def _drain(queue: deque[Any]) -> list[Any]:
    """What a queue holds now, in order (appends may go on meanwhile)."""
    return [queue.popleft() for _ in range(len(queue))]


def log_files(directory: Path = DEFAULT_DIR) -> list[Path]:
    """The recorded function log files, oldest first."""
    return sorted((directory / "logs").glob("function-*.jsonl"))
