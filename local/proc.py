"""Process memory from /proc (Linux): the local server reports its own, its workers' and the emulator's."""

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


def server_cpu(pid: int) -> dict[str, float]:
    """CPU seconds used so far by a local server's processes, by kind: the server itself, its workers
    (those alive now), the recording process, the emulator."""
    out = {"server": cpu_seconds(pid), "workers": 0.0, "recording": 0.0, "emulator": 0.0}
    for child in children(pid):
        command = cmdline(child)
        kind = next((k for k, m in _KINDS if m in command), None)
        if kind:
            out[kind] += cpu_seconds(child)
    return out


_KINDS = (("workers", "local.worker"), ("recording", "local.recording"), ("emulator", "local.emulator"))


def server_memory(pid: int) -> dict[str, Any]:
    """RSS of a local server process tree, per process: the server, each worker by pid (workers start
    on demand, so their number changes during a run), the emulator, the recording process."""
    workers = [c for c in children(pid) if "local.worker" in cmdline(c)]
    emulators = [c for c in children(pid) if "local.emulator" in cmdline(c)]
    recorders = [c for c in children(pid) if "local.recording" in cmdline(c)]
    return {
        "server_mb": rss_mb(pid),
        "worker_mb": {str(w): r for w in workers if (r := rss_mb(w)) is not None},
        "emulator_mb": rss_mb(emulators[0]) if emulators else None,
        "recorder_mb": rss_mb(recorders[0]) if recorders else None,
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
