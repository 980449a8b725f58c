"""Session set-up for every tier: a Lambda-like environment, and the emulated DynamoDB only when the run
selects a tier that reaches a table (tests/service, tests/local; see tests/support/dynamodb.py).

The emulator starts before collection, because the service binds its table from TABLE_NAME /
DYNAMODB_ENDPOINT_URL when a test module imports service.handler, exactly as in Lambda. A run of
tests/unit, tests/docs, tests/cloudfront_functions, tests/synth or tests/scenarios alone does not start it (the
telemetry contract in tests/synth starts it on first use: its handler runs in a fresh process).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from local.emulator import use_dummy_credentials
from tests.support import dynamodb
from tests.support.synth import CONFIGS, SYNTH_SECONDS, report

TESTS = Path(__file__).resolve().parent
EMULATED_TIERS = ("service", "local")

for name in ("POWERTOOLS_DEV", "POWERTOOLS_METRICS_DISABLED", "POWERTOOLS_TRACE_DISABLED", "AWS_PROFILE"):
    os.environ.pop(name, None)
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["TABLE_NAME"] = dynamodb.TABLE_NAME
os.environ["POWERTOOLS_LOG_LEVEL"] = "INFO"
use_dummy_credentials(os.environ)  # whatever runs, nothing reaches a real AWS account


def selects(config: pytest.Config, folder: Path) -> bool:
    """Whether the paths this run collects (its arguments, or testpaths) include anything under folder."""
    for arg in config.args:
        path = (config.invocation_params.dir / arg.split("::")[0]).resolve()
        if path == folder or path in folder.parents or folder in path.parents:
            return True
    return False


def xdist_controller(config: pytest.Config) -> bool:
    """This process only hands tests to xdist workers (``-n``): it runs none, so it needs no emulator."""
    return not hasattr(config, "workerinput") and getattr(config.option, "dist", "no") != "no"


def pytest_configure(config: pytest.Config) -> None:
    if not xdist_controller(config) and any(selects(config, TESTS / tier) for tier in EMULATED_TIERS):
        dynamodb.start()


# Under xdist (`make test`: -n 2 --dist loadgroup) a worker computes the session's shared work (a synth, its
# cfn-lint findings, a configuration's scenario evaluations) once for the tests it runs, so every test that
# reads a configuration goes to a group, and a group runs on one worker. The default configuration's scenario
# set is the heaviest group (about half the CPU of the run); the synth groups and the eu-west-1 scenario set
# go to the other worker first. A worker takes the next group, or the next ungrouped test, when it is nearly done, so the groups go first (heaviest first, Makefile: --no-loadscope-reorder keeps this
# order) and the many small ungrouped tests fill in around them. The service tier's tests are ungrouped: each
# worker has its own emulated table, and a test that writes a foreign item deletes it.
# A few synth tests compare two configurations of different groups (test_identity: default and eu-west-1;
# test_edge_options: default and edge-all): they go with default, whose group then synthesizes those too.
GROUP_OF_CONFIG = {
    "default": "default",
    "snap-start": "default",
    "drills": "default",
    "scale": "default",
    "telemetry": "default",
    "eu-west-1": "regions",
    "us-east-1": "regions",
    "edge-all": "regions",
}
GROUP_ORDER = ("scenarios", "default", "regions", "scenarios-eu-west-1")  # heaviest first
SCENARIO_FIXTURES = {"loaded", "loaded_default", "cases", "observed", "cases_default", "observed_default"}
# Session fixtures that read one configuration (tests/support/synth.py, tests/scenarios/conftest.py), and the
# handler's captured telemetry (tests/synth/conftest.py: a fresh process serving every route).
FIXTURE_CONFIG = {
    "synth_us": "us-east-1",
    "synth_eu": "eu-west-1",
    "default_synth": "default",
    "snap_start_synth": "snap-start",
    "drills_synth": "drills",
    "scale_synth": "scale",
    "edge_all_synth": "edge-all",
    "telemetry": "telemetry",
}


def work_group(item: pytest.Item) -> str | None:
    """The group of the shared work a test reads (None: it reads none and may run anywhere): the fixtures
    above, and any parameter whose value names a configuration (``synth``, ``any_synth`` and the modules'
    own parametrized synth fixtures pass the configuration's name to synthesize())."""
    parents = Path(str(item.path)).parents
    names = set(getattr(item, "fixturenames", ()))
    params = getattr(getattr(item, "callspec", None), "params", {})
    if TESTS / "scenarios" in parents:
        # A configuration's scenario set, evaluated once and shared by the tier's tests (the matrix, the quiet
        # cases, the mutation proof): one group each, apart from the synth tests' groups.
        if "loaded_unreserved" in names or params.get("loaded") == "eu-west-1":
            return "scenarios-eu-west-1"
        return "scenarios" if names & SCENARIO_FIXTURES else None
    configs = {FIXTURE_CONFIG[n] for n in names & FIXTURE_CONFIG.keys()}
    configs |= {v for v in params.values() if isinstance(v, str) and v in CONFIGS}
    return next((g for g in GROUP_ORDER if g in {GROUP_OF_CONFIG[c] for c in configs}), None)


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which turns the marks into scheduling groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    groups = {}
    for item in items:
        group = groups[item] = work_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
    if hasattr(config, "workerinput"):  # the order the scheduler hands groups out in (each group's own kept)
        rank = {g: i for i, g in enumerate(GROUP_ORDER)}
        items.sort(key=lambda item: rank.get(groups[item], len(rank)))  # type: ignore[arg-type]


@pytest.hookimpl(tryfirst=True)  # before xdist's, which sends the ids to the scheduler
def pytest_collection_finish(session: pytest.Session) -> None:
    """pytest-xdist 3.8 (the newest) tells the scheduler a test's group by appending "@group" to
    ``item._nodeid``, which pytest 9 no longer reads (a node's id is ``Node._id``): every group would silently
    be split across workers. Until xdist follows, a worker appends it itself (once)."""
    if not getattr(session.config.option, "loadgroup", False):  # set on xdist workers under --dist loadgroup
        return
    from _pytest.nodeid import NodeId

    for item in session.items:
        groups = sorted({str(m.args[0]) for m in item.iter_markers("xdist_group") if m.args})
        if groups and "@" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    dynamodb.stop()


def pytest_sessionfinish(session: pytest.Session) -> None:
    if hasattr(session.config, "workeroutput"):  # an xdist worker: its synth timings go to the controller
        session.config.workeroutput["synth_seconds"] = dict(SYNTH_SECONDS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    worker = node.gateway.id
    for name, sec in getattr(node, "workeroutput", {}).get("synth_seconds", {}).items():
        SYNTH_SECONDS[f"{name} ({worker})"] = sec


def pytest_terminal_summary(terminalreporter: Any) -> None:
    report(terminalreporter)  # synth timings, when this run synthesized anything
