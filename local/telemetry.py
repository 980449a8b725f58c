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
"""

from __future__ import annotations

import contextlib
import json
import math
import threading
import time
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

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
            out[_REPORT_FIELDS[key]] = float(value.split()[0])
    return out


def platform_lines(
    request_id: str, duration_ms: float, memory_mb: int, max_memory_mb: int, init_ms: float | None
) -> tuple[str, str, str]:
    """START, END and REPORT as Lambda writes them. Billed Duration is the duration rounded up to the ms,
    plus the init phase on a cold start (managed runtimes' INIT is billed since August 2025)."""
    billed = math.ceil(duration_ms) + (math.ceil(init_ms) if init_ms is not None else 0)
    report = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms\t"
        f"Memory Size: {memory_mb} MB\tMax Memory Used: {max_memory_mb} MB\t"
    )
    if init_ms is not None:
        report += f"Init Duration: {init_ms:.2f} ms\t"
    return f"START RequestId: {request_id} Version: $LATEST", f"END RequestId: {request_id}", report


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


@dataclass
class _HourFiles:
    """Append-only JSON-lines files, one per UTC hour, older than the retention deleted."""

    directory: Path
    prefix: str
    retention_s: float
    clock: Callable[[], float] = time.time
    _hour: str = ""
    _file: IO[str] | None = None

    def write(self, lines: Iterable[tuple[float, str]]) -> None:
        for t, line in lines:
            hour = datetime.fromtimestamp(t, UTC).strftime("%Y%m%dT%H")
            if hour != self._hour:
                self._open(hour)
            assert self._file is not None  # noqa: S101 - opened just above
            self._file.write(line + "\n")
        if self._file:
            self._file.flush()

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


class Recorder:
    """The local log group and metric store; thread-safe, bounded to the last ``retention_s``."""

    def __init__(
        self,
        directory: Path = DEFAULT_DIR,
        *,
        retention_s: float = RETENTION_S,
        clock: Callable[[], float] = time.time,
        load: bool = True,
    ) -> None:
        self.directory = directory
        self.retention_s = retention_s
        self.clock = clock
        self._lock = threading.Lock()
        self._metrics: dict[MetricId, dict[int, array[float]]] = {}
        self._pending_logs: list[tuple[float, str]] = []
        self._pending_metrics: list[tuple[float, str]] = []
        self.logs = _HourFiles(directory / "logs", "function", retention_s, clock)
        self.metric_files = _HourFiles(directory / "metrics", "metrics", retention_s, clock)
        self.started = clock()
        if load:
            self._load()
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None

    # ---- logs -----------------------------------------------------------------------------------

    def function_line(self, line: bytes | str, stream: str = "local") -> None:
        """A line the function (or the Lambda platform for it) wrote to its log group."""
        text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
        text = text.rstrip("\n")
        if not text:
            return
        now = self.clock()
        event = log_event(text, stream, int(now * 1000))
        # EMF: the service's metrics, from the access line's own document.
        for datum in extract(event):
            self.add(datum.namespace, datum.name, dict(datum.dimensions), datum.values, datum.timestamp_ms / 1000)
        with self._lock:
            self._pending_logs.append((now, json.dumps(event, separators=(",", ":"), default=str)))

    def server_line(self, line: bytes) -> None:
        """A line of the local server itself: only its access lines (requests it refused on the function's
        behalf) belong to the function's log group; throttles and its own notes do not."""
        if b'"message":"access"' in line:
            self.function_line(line, "local-front-end")

    # ---- metrics --------------------------------------------------------------------------------

    def add(
        self,
        namespace: str,
        name: str,
        dimensions: Mapping[str, str],
        values: float | Iterable[float],
        t: float | None = None,
    ) -> None:
        """Publish values of one metric (one dimension set) at time ``t`` (now by default)."""
        t = self.clock() if t is None else t
        vals = [float(values)] if isinstance(values, int | float) else [float(v) for v in values]
        dims = tuple(sorted((k, str(v)) for k, v in dimensions.items()))
        record = json.dumps({"t": round(t, 3), "ns": namespace, "n": name, "d": dict(dims), "v": vals})
        with self._lock:
            self._store((namespace, name, dims), t, vals)
            self._pending_metrics.append((t, record))

    def _store(self, key: MetricId, t: float, vals: list[float]) -> None:
        minutes = self._metrics.setdefault(key, {})
        minutes.setdefault(int(t // 60), array("d")).extend(vals)

    def snapshot(self) -> dict[MetricId, dict[int, tuple[float, ...]]]:
        """Every metric: epoch minute -> the values published in it (a copy)."""
        with self._lock:
            return {k: {m: tuple(v) for m, v in minutes.items()} for k, minutes in self._metrics.items()}

    def first_minute(self) -> int | None:
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
        """Write what arrived to the hour files; forget minutes older than the retention."""
        with self._lock:
            logs, self._pending_logs = self._pending_logs, []
            metrics, self._pending_metrics = self._pending_metrics, []
            cutoff = int((self.clock() - self.retention_s) // 60)
            for minutes in self._metrics.values():
                for m in [m for m in minutes if m < cutoff]:
                    del minutes[m]
        self.logs.write(logs)
        self.metric_files.write(metrics)

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


def log_files(directory: Path = DEFAULT_DIR) -> list[Path]:
    """The recorded function log files, oldest first."""
    return sorted((directory / "logs").glob("function-*.jsonl"))
