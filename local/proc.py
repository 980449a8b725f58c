"""Process memory and CPU from /proc (Linux): a local server's own, its workers', its recording's and the emulator's."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def rss_mb(pid: int) -> float | None:
    """Resident set size in MB, None when the process is gone (or not on Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        return None
    return None


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\x00", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


_KINDS = (("workers", "local.worker"), ("recording", "local.recording"), ("emulator", "local.emulator"))


def children_by_kind(pid: int) -> dict[str, list[int]]:
    """A local server's child processes alive now, by kind (its module on the command line)."""
    out: dict[str, list[int]] = {kind: [] for kind, _ in _KINDS}
    for child in children(pid):
        command = cmdline(child)
        kind = next((k for k, module in _KINDS if module in command), None)
        if kind:
            out[kind].append(child)
    return out


def server_cpu(pid: int) -> dict[str, float]:
    """CPU seconds used so far by a local server's processes, by kind: the server itself, its workers
    (those alive now), the recording process, the emulator."""
    kinds = children_by_kind(pid)
    return {"server": cpu_seconds(pid)} | {kind: sum(map(cpu_seconds, pids), 0.0) for kind, pids in kinds.items()}


def server_memory(pid: int) -> dict[str, Any]:
    """RSS of a local server process tree, per process: the server, each worker by pid (workers start
    on demand, so their number changes during a run), the emulator, the recording process."""
    kinds = children_by_kind(pid)
    return {
        "server_mb": rss_mb(pid),
        "worker_mb": {str(w): r for w in kinds["workers"] if (r := rss_mb(w)) is not None},
        "emulator_mb": rss_mb(kinds["emulator"][0]) if kinds["emulator"] else None,
        "recorder_mb": rss_mb(kinds["recording"][0]) if kinds["recording"] else None,
    }


def memory_report(samples: list[dict[str, Any]]) -> list[str]:
    """One line per process of a run's samples (server_memory's, in time order): first, last and peak
    RSS. A sum over workers would grow with their number and read like a leak."""

    def line(label: str, values: list[float]) -> str:
        return f"memory {label:<14} first {values[0]} MB, last {values[-1]} MB, peak {max(values)} MB"

    lines = []
    server = [s["server_mb"] for s in samples if s.get("server_mb") is not None]
    if server:
        lines.append(line("server", server))
    per_worker: dict[str, list[float]] = {}
    for s in samples:
        for pid, mb in s.get("worker_mb", {}).items():
            per_worker.setdefault(pid, []).append(mb)
    for pid, values in per_worker.items():
        lines.append(line(f"worker {pid}", values))
    emulator = [s["emulator_mb"] for s in samples if s.get("emulator_mb") is not None]
    if emulator:
        lines.append(line("emulator", emulator))
    recording = [s["recorder_mb"] for s in samples if s.get("recorder_mb") is not None]
    if recording:
        lines.append(line("recording", recording))
    return lines
