"""Imports point one way: service <- observability <- (settings, dashboards) <- (stacks, scripts, local, bench),
read from the source with ``ast`` (nothing is imported or executed).

Fails on a cycle between top-level packages, on a ``service/`` module importing anything of the
project outside ``service/`` (it ships alone in the Lambda asset), on ``observability/`` importing
``dashboards/`` (RUNBOOK.md and the cost table read the alarms without the dashboard), on CDK in
``observability/``, ``dashboards/``, ``settings/`` or ``asset/`` (plain data, generated from without starting
jsii; a local renderer reads the dashboard layout too), and on the local server or the bench importing
``stacks/`` (they read the configuration from ``settings/``, as the CDK app does)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "cdk.out", ".git"}
CDK = {"aws_cdk", "constructs", "cdk_nag", "jsii"}


def project_modules() -> dict[str, Path]:
    """Dotted module name -> file, for app.py and every package directory at the top level."""
    out = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if SKIP & set(rel.parts):
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports(module: str, path: Path) -> Iterator[str]:
    """Every module name an import statement in the file names (relative imports resolved)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base


def top(name: str) -> str:
    return name.split(".", 1)[0]


def package_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Top-level package -> the other top-level project packages it imports."""
    ours = {top(m) for m in modules}
    graph: dict[str, set[str]] = {p: set() for p in ours}
    for module, path in modules.items():
        for name in imports(module, path):
            if top(name) in ours and top(name) != top(module):
                graph[top(module)].add(top(name))
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as err:
        return list(err.args[1])
    return None


@pytest.fixture(scope="module")
def modules() -> dict[str, Path]:
    found = project_modules()
    assert {
        "app",
        "service.handler",
        "observability.units.route",
        "dashboards.layout",
        "stacks.monitoring.stacks",
    } <= set(found)
    return found


def test_no_cycle_between_top_level_packages(modules: dict[str, Path]) -> None:
    graph = package_graph(modules)
    assert cycle(graph) is None, f"import cycle between top-level packages: {' -> '.join(cycle(graph) or [])}"
    # The intended direction, spelled out: the model sits between the service and the dashboard,
    # the dashboard between the model and its renderers.
    assert graph["service"] == set()
    assert graph["observability"] == {"service"}
    assert graph["dashboards"] <= {"service", "observability"}
    assert "observability" in graph["dashboards"]
    assert "dashboards" in graph["stacks"]
    assert graph["settings"] <= {"service", "observability"}
    assert graph["asset"] == set()
    assert "stacks" not in graph["local"] | graph["bench"]


def imported(modules: dict[str, Path], package: str, wanted: set[str]) -> list[str]:
    """``module imports name`` for every import of a ``wanted`` top-level name inside ``package``."""
    return [
        f"{m} imports {name}"
        for m, path in modules.items()
        if top(m) == package
        for name in imports(m, path)
        if top(name) in wanted
    ]


def test_service_imports_nothing_of_the_project_outside_service(modules: dict[str, Path]) -> None:
    assert imported(modules, "service", {top(m) for m in modules} - {"service"}) == []


@pytest.mark.parametrize("package", ["observability", "dashboards", "settings", "asset"])
def test_the_model_and_the_dashboard_import_no_cdk(modules: dict[str, Path], package: str) -> None:
    assert imported(modules, package, CDK) == []


def test_the_alarm_simulator_imports_only_itself(modules: dict[str, Path]) -> None:
    """observability/simulator is plain Python on its own (the scenarios and a local console import it)."""
    simulator = [m for m in modules if m == "observability.simulator" or m.startswith("observability.simulator.")]
    assert "observability.simulator.evaluator" in simulator
    outside = {top(m) for m in modules} | CDK
    assert [
        f"{m} imports {name}"
        for m in simulator
        for name in imports(m, modules[m])
        if top(name) in outside
        and name != "observability.simulator"
        and not name.startswith("observability.simulator.")
    ] == []


def test_the_checks_can_fail(tmp_path: Path) -> None:
    # A reintroduced cycle (dashboards -> stacks -> dashboards) and relative imports are both seen.
    assert cycle({"dashboards": {"stacks"}, "stacks": {"dashboards"}, "service": set()}) is not None
    (tmp_path / "pkg").mkdir()
    module = tmp_path / "pkg" / "mod.py"
    module.write_text("from . import sibling\nfrom ..other import thing\nimport aws_cdk.aws_logs\n")
    assert set(imports("pkg.mod", module)) == {"pkg", "other", "aws_cdk.aws_logs"}
