"""What the real handler printed, read as the telemetry contract sees it: metrics, dimensions, fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Telemetry:
    lines: list[dict[str, Any]]
    metrics: set[tuple[str, str, frozenset[str]]] = field(default_factory=set)  # (namespace, name, dims)
    dim_values: dict[str, set[str]] = field(default_factory=dict)  # dimension name -> emitted values
    fields: set[str] = field(default_factory=set)  # every key of every line, nested keys dotted
    values: dict[str, set[str]] = field(default_factory=dict)  # top-level string values by field


def collect(lines: list[dict[str, Any]]) -> Telemetry:
    t = Telemetry(lines=lines)
    for line in lines:
        t.fields |= _keys(line)
        for k, v in line.items():
            if isinstance(v, str):
                t.values.setdefault(k, set()).add(v)
        for directive in line.get("_aws", {}).get("CloudWatchMetrics", []):
            for dims in directive["Dimensions"]:
                for metric in directive["Metrics"]:
                    # EMF: the value and every dimension value must be top-level members of the line.
                    if metric["Name"] in line and all(d in line for d in dims):
                        t.metrics.add((directive["Namespace"], metric["Name"], frozenset(dims)))
                for d in dims:
                    t.dim_values.setdefault(d, set()).add(str(line.get(d)))
    return t


def _keys(obj: dict[str, Any], prefix: str = "") -> set[str]:
    out = set()
    for k, v in obj.items():
        out.add(prefix + k)
        if isinstance(v, dict):
            out |= _keys(v, prefix + k + ".")
    return out
