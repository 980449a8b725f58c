"""The synthesized app, once per configuration per test session, shared by tests/synth and
tests/scenarios (a synth costs ~4-10 s; each configuration is built at most once).

Importing this module does not import CDK (the fast tier imports ``many_routes`` from here):
``aws_cdk`` is imported on the first synth. Configurations, all from cdk.json's context (so feature
flags match `make synth`) with a few overrides:
- ``us-east-1``: home == edge region, reserved concurrency 25, custom domain + certificate, tracing xray;
- ``eu-west-1``: cross-region, reserved concurrency disabled (0), CloudFront default certificate,
  another service name (a second stage), the longest runbook link accepted, and SnapStart (URL on an alias);
- ``default``: the real catalogue, eu-west-1, reserved concurrency 20, an alarm e-mail (tracing otel, cdk.json's);
- ``snap-start``: ``default`` with SnapStart on, nothing else (the URL moves: what its consumers must follow);
- ``scale``: 30 routes, us-east-1, concurrency not reserved, an alarm e-mail, tracing off, no canary;
- ``edge-all``: every edge option on (API keys, geo allow list, CORS, Shield Advanced), redirect-to-https,
  eu-west-1, and tracing with OpenTelemetry and Application Signals (the options share this synth, not one
  of their own).
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from service.catalogue import ROUTES, RouteSpec, Slo
from settings.config import InfraConfig, load_config
from tests.support.cfn import StackTemplate
from tests.support.paths import ROOT

if TYPE_CHECKING:
    import aws_cdk as cdk

    from stacks.build import AppStacks

CDK_CONTEXT: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text())["context"]
ACCOUNT = "111111111111"
EDGE_REGION = "us-east-1"
CERT_ARN = "arn:aws:acm:us-east-1:111111111111:certificate/12345678-1234-1234-1234-123456789012"
# The longest runbook_url config accepts (256 characters): a repository page at a pinned commit.
LONG_RUNBOOK_URL = (
    "https://github.example.com/an-organisation-with-a-rather-long-name/orders-api-for-the-payments-platform"
    "/blob/0123456789abcdef0123456789abcdef01234567/docs/operations/RUNBOOK.md"
)
LONG_RUNBOOK_URL += "?plain=1&" + "x" * (256 - len(LONG_RUNBOOK_URL) - 9)


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


# name -> (context overrides, catalogue)
CONFIGS: dict[str, tuple[dict[str, Any], tuple[RouteSpec, ...]]] = {
    "us-east-1": (
        {
            "home_region": "us-east-1",
            "account": ACCOUNT,
            "reserved_concurrency": 25,
            "domain_name": "api.example.com",
            "certificate_arn": CERT_ARN,
            "tracing": "xray",  # the X-Ray SDK option (the default is otel: cdk.json)
        },
        ROUTES,
    ),
    "eu-west-1": (
        {
            "home_region": "eu-west-1",
            "account": ACCOUNT,
            "reserved_concurrency": 0,
            "service_name": "orders-api-eu",
            "runbook_url": LONG_RUNBOOK_URL,
            "snap_start": True,
        },
        ROUTES,
    ),
    "default": (
        {
            "home_region": "eu-west-1",
            "account": ACCOUNT,
            "reserved_concurrency": 20,
            "alarm_email": "oncall@example.com",
        },
        ROUTES,
    ),
    # ``default`` with only SnapStart turned on: the one option that moves the Function URL to another
    # target, so every consumer template must differ from ``default``'s (tests/synth/test_identity.py).
    "snap-start": (
        {
            "home_region": "eu-west-1",
            "account": ACCOUNT,
            "reserved_concurrency": 20,
            "alarm_email": "oncall@example.com",
            "snap_start": True,
        },
        ROUTES,
    ),
    "scale": (
        {
            "home_region": "us-east-1",
            "account": ACCOUNT,
            "reserved_concurrency": 0,
            "alarm_email": "oncall@example.com",
            "tracing": "off",
            "canary": False,
        },
        many_routes(30),
    ),
    "edge-all": (
        {
            "home_region": "eu-west-1",
            "account": ACCOUNT,
            "reserved_concurrency": 0,
            "api_keys": True,
            "api_key_rate_limit": 500,
            "geo_allow": ["DE", "FR"],
            "cors_allowed_origins": ["https://app.example.com"],
            "shield_advanced": True,
            "viewer_protocol": "redirect-to-https",
            "tracing": "otel",
            "application_signals": True,
        },
        ROUTES,
    ),
    # Fire drills on (issue 27): the FIS extension on the function and the Drills stack, with cdk.json's
    # reserved concurrency and canary (every alarm a drill can expect exists). Tracing xray: the FIS extension
    # and the OpenTelemetry layer (the default) both need the one AWS_LAMBDA_EXEC_WRAPPER (settings/config.py).
    "drills": ({"home_region": "eu-west-1", "account": ACCOUNT, "drills": True, "tracing": "xray"}, ROUTES),
}
SYNTH_SECONDS: dict[str, float] = {}


@dataclass(frozen=True)
class Synth:
    """One synthesized configuration: the config, the stack objects, and the cloud assembly on disk."""

    name: str
    config: InfraConfig
    routes: tuple[RouteSpec, ...]
    stacks: AppStacks
    outdir: Path
    templates: dict[str, StackTemplate]  # "home" (Monitoring, nested included), "edge" (EdgeMonitoring)

    def template(self, stack: cdk.Stack) -> dict[str, Any]:
        return json.loads((self.outdir / stack.template_file).read_text())

    def resources(self, stack: cdk.Stack, cfn_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.template(stack)["Resources"].items() if v["Type"] == cfn_type}

    def one(self, stack: cdk.Stack, cfn_type: str) -> dict[str, Any]:
        """The properties of the one resource of ``cfn_type`` outside any condition (a Function URL, alias or
        grant kept on a condition only while the edge moves off it is not the one serving)."""
        (found,) = (r for r in self.resources(stack, cfn_type).values() if "Condition" not in r)
        return found["Properties"]

    @property
    def all_stacks(self) -> tuple[cdk.Stack, ...]:
        s = self.stacks
        return (s.service, s.edge, s.edge_access, s.monitoring, s.edge_monitoring, *([s.drills] if s.drills else []))

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.outdir / "manifest.json").read_text())


def use_pinned_node() -> None:
    """jsii starts its Node process on the first aws_cdk import: use the pinned Node 22 when installed.
    Call before importing aws_cdk."""
    node22 = ROOT / "node_modules" / "node" / "bin" / "node"
    if "JSII_NODE" not in os.environ and os.access(node22, os.X_OK):
        os.environ["JSII_NODE"] = str(node22)


def context_for(name: str) -> dict[str, Any]:
    """cdk.json's context with one configuration's overrides, as `make synth -c ...` would see it."""
    return {**CDK_CONTEXT, **CONFIGS[name][0]}


def config_for(name: str) -> InfraConfig:
    """One configuration's InfraConfig, without synthesizing anything."""
    return load_config(context_for(name), environ={})


@functools.cache
def synthesize(name: str) -> Synth:
    """The real app (stacks.build.build_app, cdk-nag included) for one configuration. Cached here,
    not by a fixture, so both test folders (each conftest registers the fixtures) share one synth."""
    outdir = tempfile.mkdtemp(prefix=f"cdk-{name}-")
    atexit.register(shutil.rmtree, outdir, ignore_errors=True)
    use_pinned_node()
    import aws_cdk as cdk

    from stacks.build import build_app

    routes = CONFIGS[name][1]
    context = context_for(name)
    config = config_for(name)
    started = time.perf_counter()
    app = cdk.App(context=context, outdir=outdir)
    stacks = build_app(app, config, routes)
    assembly = app.synth()  # raises on an unacknowledged cdk-nag finding, as `make synth` does
    SYNTH_SECONDS[name] = time.perf_counter() - started

    def load(stack: cdk.Stack) -> StackTemplate:
        art = assembly.get_stack_by_name(stack.stack_name)
        result = StackTemplate(stack.stack_name, stack.region, art.template, Path(art.template_full_path))
        for child in stack.node.find_all():
            if isinstance(child, cdk.NestedStack) and child.nested_stack_parent is stack:
                path = Path(assembly.directory) / child.template_file
                result.nested.append(StackTemplate(child.node.path, stack.region, json.loads(path.read_text()), path))
        return result

    templates = {"home": load(stacks.monitoring), "edge": load(stacks.edge_monitoring)}
    return Synth(name, config, tuple(routes), stacks, Path(outdir), templates)


@functools.cache
def _lint(path: Path, region: str) -> tuple[Any, ...]:
    from cfnlint.api import ManualArgs, lint_file

    return tuple(lint_file(path, ManualArgs(regions=[region])))


def cfn_lint(path: Path, region: str) -> tuple[Any, ...]:
    """cfn-lint's findings (every rule, errors and warnings) for one synthesized template, linted once per
    process: tests/synth/test_checks.py (every template of a configuration) and test_monitoring.py (its
    monitoring templates) read the same run. A template costs ~0.3-2 s, the nested alarm ones the most."""
    return _lint(Path(path).resolve(), region)


# Fixtures: each folder's conftest imports these names (the synth itself is cached above).
@pytest.fixture(scope="session")
def synth_us() -> Synth:
    return synthesize("us-east-1")


@pytest.fixture(scope="session")
def synth_eu() -> Synth:
    return synthesize("eu-west-1")


@pytest.fixture(scope="session", params=["us-east-1", "eu-west-1"])
def synth(request: pytest.FixtureRequest) -> Synth:
    """Runs a test once per infrastructure configuration."""
    return synthesize(request.param)


@pytest.fixture(scope="session")
def edge_all_synth() -> Synth:
    return synthesize("edge-all")


@pytest.fixture(scope="session")
def default_synth() -> Synth:
    return synthesize("default")


@pytest.fixture(scope="session")
def snap_start_synth() -> Synth:
    return synthesize("snap-start")


@pytest.fixture(scope="session")
def drills_synth() -> Synth:
    return synthesize("drills")


@pytest.fixture(scope="session")
def scale_synth() -> Synth:
    return synthesize("scale")


@pytest.fixture(scope="session", params=["default", "scale"])
def any_synth(request: pytest.FixtureRequest) -> Synth:
    """Runs a test once per monitoring configuration (the real catalogue and 30 routes)."""
    return synthesize(request.param)


def report(terminalreporter: Any) -> None:
    """Synth timings, once per session (both folders' conftests call this)."""
    if SYNTH_SECONDS:
        timings = ", ".join(f"{name} {sec:.1f} s" for name, sec in SYNTH_SECONDS.items())
        terminalreporter.write_line(f"synth (once per configuration per test process): {timings}")
        SYNTH_SECONDS.clear()
