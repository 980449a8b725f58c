"""Process memory from /proc (Linux): the local server reports its own, its workers' and the emulator's."""

from __future__ import annotations

from pathlib import Path


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


def server_memory(pid: int) -> dict[str, float | int | None]:
    """RSS of a local server process tree, split by role: server, workers (sum, count), emulator."""
    workers = [c for c in children(pid) if "local.worker" in cmdline(c)]
    emulators = [c for c in children(pid) if "local.emulator" in cmdline(c)]
    worker_rss = [r for r in (rss_mb(w) for w in workers) if r is not None]
    return {
        "server_mb": rss_mb(pid),
        "workers_mb": round(sum(worker_rss), 1),
        "workers": len(worker_rss),
        "emulator_mb": rss_mb(emulators[0]) if emulators else None,
    }
