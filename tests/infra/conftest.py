"""Session fixtures: each infrastructure configuration is synthesized once (a synth costs ~5-12 s).

Two configurations cover the layouts that matter:
- ``us-east-1``: home == edge region, reserved concurrency 25, custom domain + certificate;
- ``eu-west-1``: cross-region, reserved concurrency disabled (0), CloudFront default certificate,
  another service name (a second stage) and an https runbook link.
Both start from cdk.json's context (so feature flags match `make synth`) with a few overrides.
"""

from __future__ import annotations

import functools
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
_NODE22 = ROOT / "node_modules" / "node" / "bin" / "node"
# jsii starts its Node process on the first aws_cdk import: use the pinned Node 22 when installed.
if "JSII_NODE" not in os.environ and os.access(_NODE22, os.X_OK):
    os.environ["JSII_NODE"] = str(_NODE22)

import aws_cdk as cdk  # noqa: E402 (after JSII_NODE)

from stacks.build import AppStacks, build_app  # noqa: E402
from stacks.config import InfraConfig, load_config  # noqa: E402

CERT_ARN = "arn:aws:acm:us-east-1:111111111111:certificate/12345678-1234-1234-1234-123456789012"
CDK_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
CONFIGS: dict[str, dict[str, Any]] = {
    "us-east-1": {
        "home_region": "us-east-1",
        "account": "111111111111",
        "reserved_concurrency": 25,
        "domain_name": "api.example.com",
        "certificate_arn": CERT_ARN,
    },
    "eu-west-1": {
        "home_region": "eu-west-1",
        "account": "111111111111",
        "reserved_concurrency": 0,
        # a second stage: its own service name and a runbook link that works in the console
        "service_name": "orders-api-eu",
        "runbook_url": "https://example.com/orders-api/blob/main/RUNBOOK.md",
    },
}
SYNTH_SECONDS: dict[str, float] = {}


@dataclass(frozen=True)
class Synth:
    """One synthesized configuration: the config, the stack objects, and the cloud assembly on disk."""

    name: str
    config: InfraConfig
    stacks: AppStacks
    outdir: Path
    seconds: float

    def template(self, stack: cdk.Stack) -> dict[str, Any]:
        return json.loads((self.outdir / stack.template_file).read_text())

    def resources(self, stack: cdk.Stack, cfn_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template(stack)["Resources"].items() if v["Type"] == cfn_type}

    def one(self, stack: cdk.Stack, cfn_type: str) -> dict[str, Any]:
        (found,) = self.resources(stack, cfn_type).values()
        return found["Properties"]

    @property
    def all_stacks(self) -> tuple[cdk.Stack, ...]:
        s = self.stacks
        return (s.service, s.edge, s.edge_access, s.monitoring, s.edge_monitoring)

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.outdir / "manifest.json").read_text())


@functools.cache
def _synth(name: str, outdir: str) -> Synth:
    context = {**CDK_CONTEXT, **CONFIGS[name]}
    config = load_config(context, environ={})
    started = time.perf_counter()
    app = cdk.App(context=context, outdir=outdir)
    stacks = build_app(app, config)
    app.synth()  # raises if cdk-nag reports an unacknowledged finding
    seconds = time.perf_counter() - started
    SYNTH_SECONDS[name] = seconds
    return Synth(name, config, stacks, Path(outdir), seconds)


@pytest.fixture(scope="session")
def _outdirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {name: str(tmp_path_factory.mktemp(f"cdk-{name}")) for name in CONFIGS}


@pytest.fixture(scope="session")
def synth_us(_outdirs: dict[str, str]) -> Synth:
    return _synth("us-east-1", _outdirs["us-east-1"])


@pytest.fixture(scope="session")
def synth_eu(_outdirs: dict[str, str]) -> Synth:
    return _synth("eu-west-1", _outdirs["eu-west-1"])


@pytest.fixture(scope="session", params=list(CONFIGS))
def synth(request: pytest.FixtureRequest, _outdirs: dict[str, str]) -> Synth:
    """Runs a test once per configuration (each synthesized once, whatever the test order)."""
    return _synth(request.param, _outdirs[request.param])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SYNTH_SECONDS:
        timings = ", ".join(f"{name} {sec:.1f} s" for name, sec in SYNTH_SECONDS.items())
        terminalreporter.write_line(f"infra synth (once per configuration): {timings}")
