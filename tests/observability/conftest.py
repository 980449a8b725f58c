"""Session fixtures: each CDK configuration is synthesized once (a synth costs ~10 s), and the
real handler's telemetry is captured once from a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest

from service.catalogue import ROUTES, RouteSpec, Slo
from stacks.build import build_app
from stacks.config import load_config
from stacks.monitoring.stacks import EdgeMonitoringStack, MonitoringStack
from tests.observability.cfn import StackTemplate

ROOT = Path(__file__).resolve().parents[2]
CDK_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
ACCOUNT = "111111111111"
EDGE_REGION = "us-east-1"


@dataclass
class Synth:
    home_region: str
    routes: tuple[RouteSpec, ...]
    reserved: int | None
    seconds: float
    stacks: dict[str, StackTemplate]  # "home" (MonitoringStack, with nested), "edge" (EdgeMonitoringStack)
    monitoring: MonitoringStack
    edge_monitoring: EdgeMonitoringStack


def synth(tmp: Path, *, home_region: str, routes: tuple[RouteSpec, ...], reserved: int | None) -> Synth:
    """The real app (stacks.build.build_app, cdk-nag included) with this catalogue and region."""
    started = time.perf_counter()
    context = {
        **CDK_CONTEXT,
        "home_region": home_region,
        "account": ACCOUNT,
        "reserved_concurrency": reserved or 0,
        "alarm_email": "oncall@example.com",
    }
    app = cdk.App(context=context, outdir=str(tmp))
    built = build_app(app, load_config(context, environ={}), routes)
    monitoring, edge_monitoring = built.monitoring, built.edge_monitoring
    assembly = app.synth()  # raises on an unacknowledged cdk-nag finding, as `make synth` does

    def load(stack: cdk.Stack, region: str) -> StackTemplate:
        art = assembly.get_stack_by_name(stack.stack_name)
        result = StackTemplate(stack.stack_name, region, art.template, Path(art.template_full_path))
        for child in stack.node.find_all():
            if isinstance(child, cdk.NestedStack) and child.nested_stack_parent is stack:
                path = Path(assembly.directory) / child.template_file
                result.nested.append(StackTemplate(child.node.path, region, json.loads(path.read_text()), path))
        return result

    return Synth(
        home_region=home_region,
        routes=routes,
        reserved=reserved,
        seconds=time.perf_counter() - started,
        stacks={"home": load(monitoring, home_region), "edge": load(edge_monitoring, EDGE_REGION)},
        monitoring=monitoring,
        edge_monitoring=edge_monitoring,
    )


def many_routes(n: int) -> tuple[RouteSpec, ...]:
    """A catalogue of n routes with long-ish names and paths (worst case for template size)."""
    extra = tuple(
        RouteSpec(
            name=f"resource_number_{i:02d}_get_item_by_identifier",
            method="GET",
            path=f"/v1/resources-{i:02d}/{{resource_id}}/sub-resources/{{sub_resource_id}}",
            summary="Synthetic route for the scale test.",
            slo=Slo(latency_ms=250, latency_percentile=99.9, availability=0.9995),
        )
        for i in range(n - len(ROUTES))
    )
    return ROUTES + extra


SYNTH_TIMES: dict[str, float] = {}


@pytest.fixture(scope="session")
def default_synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """The real catalogue, home region eu-west-1 (cross-region edge), reserved concurrency 20."""
    s = synth(tmp_path_factory.mktemp("cdk-default"), home_region="eu-west-1", routes=ROUTES, reserved=20)
    SYNTH_TIMES[f"default (eu-west-1, {len(ROUTES)} routes)"] = s.seconds
    return s


@pytest.fixture(scope="session")
def scale_synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """30 routes, home region us-east-1 (same region as the edge), concurrency not reserved."""
    s = synth(tmp_path_factory.mktemp("cdk-scale"), home_region="us-east-1", routes=many_routes(30), reserved=None)
    SYNTH_TIMES["scale (us-east-1, 30 routes)"] = s.seconds
    return s


@pytest.fixture(scope="session", params=["default", "scale"])
def any_synth(request: pytest.FixtureRequest) -> Synth:
    return request.getfixturevalue(f"{request.param}_synth")


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


@pytest.fixture(scope="session")
def telemetry() -> Telemetry:
    """Every line the real handler printed while serving every catalogue route (fresh process)."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.observability.emit_telemetry"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = []
    for raw in proc.stdout.splitlines():
        if raw.strip():
            lines.append(json.loads(raw))  # not JSON = a broken log contract: fail here
    return collect(lines)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for name, seconds in SYNTH_TIMES.items():
        terminalreporter.write_line(f"observability synth {name}: {seconds:.1f} s")
