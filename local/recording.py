"""The recording in a process of its own: the server hands lines and values over, a child records them.

The server (``local.server``) answers HTTP and relays its workers' output on many threads under one GIL;
turning lines into log events and metrics is CPU work that would share that GIL with them. So the server
keeps only a :class:`RecordingProcess`: ``function_line``, ``server_line`` and ``add`` append to a queue
(no lock, no parsing), and a shipper thread sends what arrived every ``SHIP_S`` to the child, one pickled
frame down a pipe. The child (``python -m local.recording``) holds the :class:`~local.telemetry.Recorder`
(parsing, EMF extraction, files) and serves the console from it, so the console's documents are built off
the server's GIL too.

The child parses lazily: frames wait as shipped (:class:`Spool`) until a reader asks: the console (every
document it builds), `make query` and the backtest (``catch_up``, through the console) or the recorder's
own flush. So what those read is exact up to the moment they ask (at most ``SHIP_S`` plus one frame old).
Nobody asking, parsing never competes with requests being served: frames are recorded in the background
only at a pause in traffic (no frame for ``PAUSE_S``) once they are ``SPOOL_S`` old, or when they reach
``SPOOL_BYTES`` (memory), and then at the lowest CPU priority; only a spool twice that size is
recorded at once, whatever the traffic. When the server stops, everything handed over is shipped and
recorded before it exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from local.telemetry import HandOver

if TYPE_CHECKING:
    from local.telemetry import Recorder

SHIP_S = 0.25
# Frames wait unparsed (Spool) until a reader asks. Unasked, they are recorded in the background (at the
# lowest CPU priority) when they reach SPOOL_BYTES (a health request ships ~880 bytes: ~75,000 requests), or
# once they are SPOOL_S old at a pause in traffic (no frame for PAUSE_S: the shipper sends one every SHIP_S
# while requests come). So the files on disk are complete a second after traffic pauses (if a minute has
# passed); while it flows, parsing waits for a reader or the byte bound.
SPOOL_BYTES = 64 << 20
SPOOL_S = 60.0
PAUSE_S = 1.0
# A spool this large is recorded by the thread reading the pipe too, at normal priority: the memory bound
# holds even when the cores never leave the background recording a moment.
SPOOL_LIMIT = 2 * SPOOL_BYTES
CHUNK_BYTES = 1 << 20  # frames parsed per batch
PIPE_BYTES = 1 << 20  # the pipe to the recording process (Linux's default 64 KB: a frame took ~8 writes)
MARKER = "recording.json"  # in the telemetry dir while a recording process runs: its console, for catch_up
_HEADER = struct.Struct("!I")


class RecordingError(Exception):
    """The recording process could not start (its console's port is in use, ...)."""


class RecordingProcess(HandOver):
    """The server's side of the recording: the hand-over calls (``function_line``, ``server_line``,
    ``add``, the platform's ``url_answered`` & co.), shipped to the recording process in frames."""

    def __init__(
        self,
        directory: Path,
        *,
        retention_s: float,
        host: str,
        console_port: int,
        table_name: str,
        reserved_concurrency: int | None,
    ) -> None:
        super().__init__(time.time)
        self.directory = directory
        config = {
            "directory": str(directory),
            "retention_s": retention_s,
            "host": host,
            "console_port": console_port,
            "table_name": table_name,
            "reserved_concurrency": reserved_concurrency,
        }
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "local.recording", json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        if self.process.stdin is not None:  # a frame (~500 KB at 1,700 requests/s) in one write, one wake-up
            with contextlib.suppress(OSError, AttributeError):  # Linux only; capped by fs/pipe-max-size
                fcntl.fcntl(self.process.stdin.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        self.console_url = ""
        self._stop = threading.Event()
        self._shipper: threading.Thread | None = None
        self._ship_lock = threading.Lock()  # frames in order, one at a time

    def ready(self) -> str:
        """Wait for the recording process to serve its console; its URL. RecordingError when it cannot."""
        assert self.process.stdout is not None  # noqa: S101 - set by Popen(stdout=PIPE)
        first = self.process.stdout.readline()
        try:
            answer = json.loads(first)
        except ValueError:
            answer = {"error": "the recording process exited during start-up (see stderr)"}
        if "console" not in answer:
            self.close()
            raise RecordingError(str(answer.get("error")))
        self.console_url = str(answer["console"])
        self._shipper = threading.Thread(target=self._ship_loop, daemon=True)
        self._shipper.start()
        return self.console_url

    # ---- shipping ---------------------------------------------------------------------------------

    def _ship_loop(self) -> None:
        while not self._stop.wait(SHIP_S):
            self.ship()

    def ship(self) -> None:
        """Send what arrived since the last frame (one pickle, one pipe write)."""
        with self._ship_lock:
            lines, values, calls = _drain(self._lines), _drain(self._values), _drain(self._calls)
            if not (lines or values or calls) or self.process.stdin is None:
                return
            data = pickle.dumps((lines, values, calls), protocol=pickle.HIGHEST_PROTOCOL)
            with contextlib.suppress(OSError):  # the recording process is gone: the API serves on
                self.process.stdin.write(_HEADER.pack(len(data)) + data)
                self.process.stdin.flush()

    def close(self, wait_s: float = 30.0) -> None:
        """Ship the rest and let the recording process record it and stop (end of its input)."""
        self._stop.set()
        if self._shipper:
            self._shipper.join(timeout=5)
        if self._shipper and self._shipper.is_alive():  # stuck writing: the recording process reads nothing
            self.process.kill()  # (stopped, hung): what it did not read is lost, and the server stops anyway
        else:
            self.ship()
        if self.process.stdin:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def _drain(queue: deque[Any]) -> list[Any]:
    """What a queue holds now, in order (appends may go on meanwhile)."""
    return [queue.popleft() for _ in range(len(queue))]


def _frames(source: IO[bytes]) -> Iterable[bytes]:
    """The frames as shipped (pickled), one at a time, until the end of the input."""
    while head := source.read(_HEADER.size):
        yield source.read(_HEADER.unpack(head)[0])


class Spool:
    """Frames kept as shipped (pickled bytes) until someone reads: parsing lines and extracting EMF is
    most of the recording's CPU, and nobody needs it done until the console, `make query` or the backtest
    (which ask the console, see ``catch_up``) looks. Bounded in bytes, and in age at a pause (``due``)."""

    def __init__(self, recorder: Recorder, clock: Callable[[], float] = time.monotonic) -> None:
        self.recorder = recorder
        self.clock = clock
        self._frames: deque[tuple[float, bytes]] = deque()  # (when it arrived, the frame)
        self._bytes = 0
        self._newest = 0.0  # traffic pauses when no frame follows the newest for PAUSE_S
        self._lock = threading.Lock()  # the deque and its size (held briefly: reading stdin never waits long)
        self._handing = threading.Lock()  # one chunk at a time, popped and recorded: frames stay in order

    def add(self, data: bytes) -> None:
        with self._lock:
            self._newest = self.clock()
            self._frames.append((self._newest, data))
            self._bytes += len(data)

    def due(self) -> bool:
        """Record now, nobody asking: the spool holds ``SPOOL_BYTES``, or traffic paused (no frame for
        ``PAUSE_S``) with frames ``SPOOL_S`` old. Never for age alone while frames keep arriving."""
        with self._lock:
            if not self._frames:
                return False
            now = self.clock()
            paused = now - self._newest >= PAUSE_S and now - self._frames[0][0] >= SPOOL_S
            return self._bytes >= SPOOL_BYTES or paused

    def over_limit(self) -> bool:
        return self._bytes >= SPOOL_LIMIT

    def hand_over(self) -> None:
        """Everything spooled to the recorder, in order, about ``CHUNK_BYTES`` of frames per batch: what
        parsing holds in memory at once is one chunk's objects, not the spool's."""
        while True:
            with self._handing:
                with self._lock:
                    chunk, size = [], 0
                    while self._frames and size < CHUNK_BYTES:
                        data = self._frames.popleft()[1]
                        chunk.append(data)
                        size += len(data)
                    self._bytes -= size
                if not chunk:
                    return
                for data in chunk:
                    # Our own parent's frames on a private pipe, never anyone else's bytes.
                    lines, values, calls = pickle.loads(data)  # noqa: S301
                    self.recorder.take(lines, values, calls)
                self.recorder.record_batch()


def lowest_priority() -> None:
    """The calling thread, and it only, at the lowest CPU priority (Linux: a thread's own nice value), so
    the request path's processes get the cores first; elsewhere the thread runs as it is."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def catch_up(directory: Path, timeout_s: float = 60.0) -> None:
    """Ask the recording process that records into ``directory`` (if one runs) to record what it spooled,
    so that files read next are exact up to now (``SHIP_S`` aside). Nothing runs: the files are complete."""
    try:
        console = json.loads((directory / MARKER).read_text(encoding="utf-8"))["console"]
        with urllib.request.urlopen(f"{console}/recorded", timeout=timeout_s):  # noqa: S310 - our loopback console
            pass
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not running (a marker left by a killed process included): nothing spooled to wait for


def main(argv: list[str]) -> int:
    """The recording process: record every frame from stdin, serve the console, stop at the end of stdin."""
    # Ctrl-C reaches the whole process group; the server ends this process by closing its input, once
    # everything was shipped.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from local.console_server import Console
    from local.telemetry import Recorder

    config = json.loads(argv[1])
    recorder = Recorder(Path(config["directory"]), retention_s=config["retention_s"])
    try:
        console = Console(
            recorder,
            config["host"],
            config["console_port"],
            table_name=config["table_name"],
            reserved_concurrency=config["reserved_concurrency"],
        )
    except OSError as exc:
        _answer({"error": f"cannot listen on {config['host']}:{config['console_port']} (console): {exc.strerror}"})
        return 2
    spool = Spool(recorder)
    recorder.before_batch = spool.hand_over  # every reader (console, flush) first records what waits
    console.start()
    marker = recorder.directory / MARKER
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"console": console.url, "pid": os.getpid()}), encoding="utf-8")
    _answer({"console": console.url})
    os.dup2(2, 1)  # stdout was only for that answer; anything printed later goes to stderr
    stop = threading.Event()

    def record_when_due() -> None:  # nobody asking: in the background, never ahead of a request
        lowest_priority()
        while not stop.wait(PAUSE_S / 2):
            if spool.due():
                recorder.flush()

    threading.Thread(target=record_when_due, daemon=True).start()
    try:
        for data in _frames(sys.stdin.buffer):
            spool.add(data)
            if spool.over_limit():
                recorder.flush()
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            marker.unlink()
        console.stop()
        recorder.close()  # records everything still spooled
    return 0


def _answer(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
