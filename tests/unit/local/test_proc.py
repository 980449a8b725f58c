"""`make load`'s memory lines: one per process (server, each worker, emulator), never a sum over a
changing number of workers (local/proc.py)."""

from __future__ import annotations

import os

from local.proc import memory_report, server_memory


def test_one_line_per_process_kind_and_worker() -> None:
    samples = [
        {"server_mb": 40.0, "worker_mb": {"101": 57.8}, "emulator_mb": 90.0},
        {"server_mb": 41.0, "worker_mb": {"101": 59.0, "102": 58.0}, "emulator_mb": 95.5},
        {"server_mb": 40.5, "worker_mb": {"101": 59.5, "102": 58.2, "103": 58.1}, "emulator_mb": 94.0},
    ]
    assert memory_report(samples) == [
        "memory server         first 40.0 MB, last 40.5 MB, peak 41.0 MB",
        "memory worker 101     first 57.8 MB, last 59.5 MB, peak 59.5 MB",
        "memory worker 102     first 58.0 MB, last 58.2 MB, peak 58.2 MB",
        "memory worker 103     first 58.1 MB, last 58.1 MB, peak 58.1 MB",
        "memory emulator       first 90.0 MB, last 94.0 MB, peak 95.5 MB",
    ]


def test_a_process_tree_without_workers_reports_the_server_alone() -> None:
    sample = server_memory(os.getpid())  # this test process: no local.worker children
    assert sample["worker_mb"] == {}
    assert sample["emulator_mb"] is None
    (line,) = memory_report([sample])
    assert line.startswith("memory server ")
