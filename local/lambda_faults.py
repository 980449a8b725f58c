"""FIS Lambda faults, locally: the local server's stand-in for the AWS FIS Lambda extension.

In AWS, FIS writes an active fault into the S3 folder named by AWS_FIS_CONFIGURATION_LOCATION and the
extension (the function's exec wrapper) polls it, then delays, fails or answers invocations in its runtime
API proxy, before or instead of the handler. The object FIS writes there is internal to FIS, so the local
server reads the document both sides share instead: the experiment template's action
(``observability.drills.DrillPlan.action``: ``actionId`` and its ``parameters`` exactly as deployed) plus
the experiment's ``startTime``/``endTime`` (epoch seconds), one JSON file per experiment in a folder
(``--fis-config-dir``, default ``.local/fis/``) that it polls like the extension does. `make drill LOCAL=1`
writes and deletes those files. A fault outlives no ``endTime``, whatever happens to whoever wrote it.

What each action does here, as the extension does it in Lambda:
- ``aws:lambda:invocation-add-delay``: the environment waits ``startupDelayMilliseconds`` before the
  handler runs (held, as in Lambda); past the function's timeout the invocation times out instead;
- ``aws:lambda:invocation-error``: the invocation fails (``preventExecution``: without running the handler);
- ``aws:lambda:invocation-http-integration-response``: the answer is replaced by ``statusCode``.
Each applies to ``invocationPercentage`` % of invocations. The handler's own telemetry never sees any of it.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from observability.drills import ADD_DELAY, HTTP_RESPONSE, INVOCATION_ERROR, LAMBDA_ACTIONS

# The extension polls every 60 s while idle (AWS_FIS_SLOW_POLL_INTERVAL_SECONDS); locally a rehearsal
# wants the fault now, so the folder is read every second (a directory listing, nothing more).
POLL_S = 1.0


class FaultFileError(ValueError):
    """A fault file the server cannot honour: named in the server's log, never half-applied."""


@dataclass(frozen=True)
class LambdaFault:
    experiment: str
    action: str
    percentage: float
    start: float
    end: float
    delay_ms: int = 0
    prevent_execution: bool = False
    status_code: int = 500

    @classmethod
    def parse(cls, doc: dict[str, Any], experiment: str) -> LambdaFault:
        action = doc.get("actionId")
        if action not in LAMBDA_ACTIONS:
            raise FaultFileError(f"{experiment}: actionId must be one of {LAMBDA_ACTIONS}, got {action!r}")
        params = doc.get("parameters") or {}
        if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
            raise FaultFileError(f"{experiment}: parameters must be strings, as FIS spells them")
        try:
            pct = float(params.get("invocationPercentage", "100"))
            start, end = float(doc["startTime"]), float(doc["endTime"])
            delay = int(params.get("startupDelayMilliseconds", "1000")) if action == ADD_DELAY else 0
            status = int(params.get("statusCode", "500"))
        except (KeyError, TypeError, ValueError) as exc:
            raise FaultFileError(f"{experiment}: {exc!r} (startTime/endTime and numeric parameters)") from None
        if not 0 <= pct <= 100 or end <= start or not 0 <= delay <= 900_000:
            raise FaultFileError(f"{experiment}: percentage 0-100, endTime after startTime, delay 0-900000 ms")
        return cls(
            experiment=experiment,
            action=action,
            percentage=pct,
            start=start,
            end=end,
            delay_ms=delay,
            prevent_execution=params.get("preventExecution", "false").lower() == "true",
            status_code=status,
        )

    def active(self, now: float) -> bool:
        return self.start <= now < self.end


class FaultFolder:
    """The faults currently configured in ``directory``, re-read at most every ``poll_s``."""

    def __init__(
        self,
        directory: Path,
        *,
        poll_s: float = POLL_S,
        clock: Callable[[], float] = time.time,
        log: Callable[..., None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.directory = directory
        self.poll_s = poll_s
        self.clock = clock
        self.log = log
        self.rng = rng or random.Random()  # noqa: S311 (a share of invocations, not a secret)
        self._faults: list[LambdaFault] = []
        self._read_at = float("-inf")
        self._refused: set[str] = set()
        self._lock = threading.Lock()

    def current(self) -> list[LambdaFault]:
        now = self.clock()
        with self._lock:
            if now - self._read_at >= self.poll_s:
                self._faults, self._read_at = self._read(), now
            return [f for f in self._faults if f.active(now)]

    def _read(self) -> list[LambdaFault]:
        found = []
        for path in sorted(self.directory.glob("*.json")) if self.directory.is_dir() else []:
            try:
                found.append(LambdaFault.parse(json.loads(path.read_text(encoding="utf-8")), path.stem))
            except (OSError, ValueError) as exc:  # a half-written or bad file: skipped, said once
                if path.name not in self._refused and self.log:
                    self.log("WARNING", "lambda fault file ignored", file=str(path), error=str(exc))
                self._refused.add(path.name)
        return found

    def pick(self) -> dict[str, LambdaFault]:
        """The faults that hit this invocation, by action (as the extension, one of each kind: the earliest)."""
        hit: dict[str, LambdaFault] = {}
        for fault in sorted(self.current(), key=lambda f: f.start):
            if fault.action not in hit and self.rng.random() * 100 < fault.percentage:
                hit[fault.action] = fault
        return hit


class InjectedError(RuntimeError):
    """An invocation the fault made fail: the Function URL answers 502 and Lambda counts an Error."""


def invoke_with_faults(
    faults: dict[str, LambdaFault],
    invoke: Callable[[float], dict[str, Any]],
    timeout_s: float,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Run ``invoke(remaining timeout)`` the way the FIS extension would with ``faults`` applied."""
    delay = faults.get(ADD_DELAY)
    if delay:
        wait = delay.delay_ms / 1000
        if wait >= timeout_s:
            sleep(timeout_s)
            raise InjectedError(f"Task timed out after {timeout_s:.2f} seconds (FIS add-delay {delay.delay_ms} ms)")
        sleep(wait)
        timeout_s -= wait
    error, response = faults.get(INVOCATION_ERROR), faults.get(HTTP_RESPONSE)
    if error and error.prevent_execution:
        raise InjectedError("FIS invocation-error (preventExecution)")
    if response and response.prevent_execution:
        return _response(response)
    result = invoke(timeout_s)
    if error:
        raise InjectedError("FIS invocation-error")
    return _response(response) if response else result


def _response(fault: LambdaFault) -> dict[str, Any]:
    return {
        "statusCode": fault.status_code,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"message": "injected by a drill", "experiment": fault.experiment}),
    }
