"""Line-atomic stdout for the local server's processes.

Workers' stdout is relayed line by line, and the supervisor's own lines (refused requests, throttles,
client disconnects) go through the same lock: every line reaches stdout in one write, so lines of
concurrent requests never interleave, whatever their size (a pipe only guarantees that up to 4 KB).
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, BinaryIO

from service import contract

# As service/telemetry.py names it (that module is not imported here: it builds Powertools' objects).
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME") or contract.SERVICE_NAME


# Where lines also go: the local log group (local.telemetry.Recorder).
LineTap = Callable[[bytes], None]


class LineWriter(io.TextIOBase):
    """A text stream that emits only whole lines, each with one os.write under a lock.

    Installed as the supervisor's sys.stdout, so service.telemetry's writes (and print) are whole
    lines too. A partial line stays in a per-thread buffer until its newline arrives.
    """

    def __init__(self, fd: int, tap: LineTap | None = None) -> None:
        super().__init__()
        self._fd = fd
        self.tap = tap  # also told of each whole line written with write() (the supervisor's own)
        self._lock = threading.Lock()
        self._local = threading.local()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        pending = getattr(self._local, "pending", "") + text
        complete, newline, rest = pending.rpartition("\n")
        self._local.pending = rest
        if newline:
            data = (complete + "\n").encode("utf-8", "backslashreplace")
            self.write_bytes(data)
            if self.tap:
                self.tap(data)
        return len(text)

    def write_bytes(self, data: bytes) -> None:
        with self._lock:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]

    def flush(self) -> None:  # whole lines are written as they complete
        pass

    def fileno(self) -> int:
        return self._fd


# Lambda's START / END / REPORT lines: the log group has them, the function's stdout does not.
_PLATFORM = (b"START RequestId: ", b"END RequestId: ", b"REPORT RequestId: ")


def relay_lines(source: BinaryIO, sink: LineWriter, tap: LineTap | None = None) -> None:
    """Copy a child's output to the sink a whole line at a time, until EOF; every line also to ``tap``,
    and Lambda's platform lines only there."""
    for line in iter(source.readline, b""):
        if tap:
            tap(line)
        if not line.startswith(_PLATFORM):
            sink.write_bytes(line if line.endswith(b"\n") else line + b"\n")
    source.close()


def log_event(level: str, message: str, **fields: Any) -> None:
    """One JSON line with the keys and timestamp format of the service's Logger lines."""
    line = {
        "level": level,
        "message": message,
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "service": SERVICE,
        **fields,
    }
    sys.stdout.write(json.dumps(line, separators=(",", ":"), default=str) + "\n")
    sys.stdout.flush()
