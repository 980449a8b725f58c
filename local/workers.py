"""Execution environments: one worker process per concurrent request, as in Lambda.

Each worker is a separate Python process (`python -m local.worker`) that imports the handler once
(its init) and then handles one invocation at a time. Processes, not threads: Powertools' Logger
keys, correlation id and cold-start flag are process-global, so threads would mix telemetry.
Workers are created on demand up to the concurrency limit and reused warm, most recently used
first (as Lambda reuses a warm environment), so a cold start shows up once per environment.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from local.output import LineWriter, log_event, relay_lines
from local.telemetry import Ended

_HEADER = struct.Struct("!I")


class WorkerError(Exception):
    """The worker died, timed out or failed outside the handler."""


def send_frame(sock: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message, separators=(",", ":")).encode()
    sock.sendall(_HEADER.pack(len(data)) + data)


def recv_frame(sock: socket.socket) -> dict[str, Any] | None:
    head = _recv_exact(sock, _HEADER.size)
    if head is None:
        return None
    data = _recv_exact(sock, _HEADER.unpack(head)[0])
    if data is None:
        return None
    message: dict[str, Any] = json.loads(data)
    return message


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(min(size - len(chunks), 1 << 20))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)


# Where an environment's lines also go (the local log group): (line, log stream name); a tuple is an
# invocation's END and REPORT (local.telemetry.Ended), written out where the log group is recorded.
LogSink = Callable[[bytes | str | Ended, str], None]


def log_stream_name() -> str:
    """A Lambda log stream name: one per execution environment, YYYY/MM/DD/[version]id."""
    return f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"


class _AfterOutput:
    """An environment's log stream as the log group gets it: the lines its worker wrote (from the relay
    thread) and, for each invocation, END and REPORT (from the thread that got the reply) after exactly the
    bytes the worker had written before replying, whichever thread gets there first.

    Each side writes its own variable, then looks at the other's (under the GIL one of them sees both
    writes), and only then takes the lock: one lock per invocation, not one per line."""

    def __init__(self, log: LogSink, stream: str) -> None:
        self._log = log
        self._stream = stream
        self._lock = threading.Lock()
        self._read = 0  # bytes of the worker's stdout relayed so far (written by the relay thread only)
        self._pending: deque[tuple[int, Ended | str]] = deque()  # (bytes to wait for, END and REPORT / START)

    def line(self, line: bytes) -> None:  # the relay thread
        self._log(line, self._stream)
        self._read += len(line)
        if self._pending:
            self._release()

    def start(self, line: str) -> None:  # the invoking thread, before it sends the invocation
        """START, after the previous invocation's END and REPORT (in Lambda's order) when they still wait."""
        with self._lock:
            if self._pending:
                self._pending.append((self._pending[-1][0], line))
                return
        self._log(line, self._stream)

    def after(self, written: int, ended: Ended) -> None:  # the invoking thread
        self._pending.append((written, ended))
        if self._read >= written:
            self._release()

    def _release(self, everything: bool = False) -> None:
        with self._lock:  # in order, once each, whichever thread gets here
            while self._pending and (everything or self._pending[0][0] <= self._read):
                self._log(self._pending.popleft()[1], self._stream)

    def relay(self, source: Any, out: LineWriter) -> None:
        relay_lines(source, out, self.line)
        self._release(everything=True)  # the worker is gone: what still waits goes now


class Worker:
    def __init__(self, env: dict[str, str], out: LineWriter, init_timeout_s: float, log: LogSink | None = None) -> None:
        parent, child = socket.socketpair()
        self._sock = parent
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            # --report: replies carry what REPORT says, for the log group (only when there is one)
            [sys.executable, "-m", "local.worker", str(child.fileno()), *(["--report"] if log else [])],
            env=env,
            stdout=subprocess.PIPE,
            pass_fds=(child.fileno(),),
        )
        child.close()
        self.stream = log_stream_name()
        self._output = _AfterOutput(log, self.stream) if log else None
        if self._output:
            self._relay = threading.Thread(target=self._output.relay, args=(self.process.stdout, out), daemon=True)
        else:
            self._relay = threading.Thread(target=relay_lines, args=(self.process.stdout, out), daemon=True)
        self._relay.start()
        parent.settimeout(init_timeout_s)
        try:
            ready = recv_frame(parent)
        except TimeoutError:
            ready = None
        if not ready or not ready.get("ready"):
            self.close()
            raise WorkerError("the worker exited during init (see stderr)")
        self.pid = self.process.pid

    def invoke(self, event: dict[str, Any], request_id: str, timeout_s: float) -> dict[str, Any]:
        """Run one invocation; the worker holds no other request meanwhile."""
        self._sock.settimeout(timeout_s)
        if self._output:  # Lambda's START line, before anything the invocation writes (handed over, not written)
            self._output.start(f"START RequestId: {request_id} Version: $LATEST")
        try:
            send_frame(self._sock, {"event": event, "request_id": request_id})
            reply = recv_frame(self._sock)
        except TimeoutError:
            self.close()  # Lambda ends an environment whose invocation times out
            raise WorkerError(f"Task timed out after {timeout_s:.2f} seconds") from None
        except OSError as exc:
            self.close()
            raise WorkerError(f"the worker failed: {exc}") from None
        if reply is None:
            self.close()
            raise WorkerError("the worker exited during the invocation (see stderr)")
        if self._output and "report" in reply:  # END and REPORT, after the function's output
            duration_ms, memory_mb, max_memory_mb, init_ms, written = reply["report"]
            self._output.after(written, (request_id, duration_ms, memory_mb, max_memory_mb, init_ms))
        if "result" not in reply:
            raise WorkerError(str(reply.get("error", "invocation failed")))
        result: dict[str, Any] = reply["result"]
        return result

    @property
    def alive(self) -> bool:
        return self.process.poll() is None and self._sock.fileno() != -1

    def close(self, wait_s: float = 5.0) -> None:
        """End the worker: closing its channel makes it exit; its remaining output is relayed first."""
        self._sock.close()
        try:
            self.process.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._relay.join(timeout=wait_s)


class WorkerPool:
    """At most `size` workers; acquire() returns None when all are busy (the caller throttles)."""

    def __init__(
        self, size: int, env: dict[str, str], out: LineWriter, timeout_s: float, log: LogSink | None = None
    ) -> None:
        if size < 1:
            raise ValueError("concurrency must be at least 1")
        self.size = size
        self.timeout_s = timeout_s
        self._env = env
        self._out = out
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()
        self._count = 0  # live workers plus those starting
        self._closed = False
        self._log = log

    def busy(self) -> int:
        """Environments serving an invocation now, those still starting for one included: what
        ConcurrentExecutions counts (Lambda counts an environment from its init on), and what throttles."""
        with self._lock:
            return self._count - len(self._idle)

    def acquire(self) -> Worker | None:
        with self._lock:
            if self._closed:
                return None
            if self._idle:
                return self._idle.pop()  # most recently used: stays warm
            if self._count >= self.size:
                return None
            self._count += 1
        try:
            worker = Worker(self._env, self._out, init_timeout_s=max(self.timeout_s, 30.0), log=self._log)
        except BaseException:
            with self._lock:
                self._count -= 1
            raise
        with self._lock:
            self._all.add(worker)
        return worker

    def release(self, worker: Worker) -> None:
        with self._lock:
            if worker.alive and not self._closed:
                self._idle.append(worker)
                return
            self._count -= 1
            self._all.discard(worker)
        if worker.alive:
            worker.close()
        else:
            log_event("WARNING", "execution environment ended", pid=worker.process.pid)

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
        deadline = time.monotonic() + 10
        for worker in workers:
            worker.close(wait_s=max(0.1, deadline - time.monotonic()))

    @staticmethod
    def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update(extra or {})
        return env
