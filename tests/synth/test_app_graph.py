"""Stack layout: regions, dependency graph without cycles, and every cross-stack value accounted for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from typing import Any

import pytest

from service.catalogue import ROUTES
from tests.support.synth import Synth, config_for


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _stack_graph(synth: Synth) -> dict[str, set[str]]:
    artifacts = synth.manifest["artifacts"]
    stacks = {k for k, v in artifacts.items() if v["type"] == "aws:cloudformation:stack"}
    return {k: {d for d in artifacts[k].get("dependencies", []) if d in stacks} for k in stacks}


def test_stack_regions(synth: Synth) -> None:
    s = synth.stacks
    home = synth.config.home_region
    assert (s.service.region, s.edge.region, s.edge_access.region) == (home, "us-east-1", home)
    assert (s.monitoring.region, s.edge_monitoring.region) == (home, "us-east-1")
    assert s.routes == ROUTES


def test_dependency_graph_is_acyclic_and_ordered(synth: Synth) -> None:
    graph = _stack_graph(synth)
    s = synth.stacks
    assert graph == {
        s.service.artifact_id: set(),
        s.edge.artifact_id: {s.service.artifact_id},
        s.edge_access.artifact_id: {s.service.artifact_id, s.edge.artifact_id},
        s.monitoring.artifact_id: {s.service.artifact_id, s.edge.artifact_id},
        s.edge_monitoring.artifact_id: {s.edge.artifact_id},
    }
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as err:  # pragma: no cover - the assertion message is the point
        pytest.fail(f"stack dependency cycle: {err}")
    assert order.index(s.service.artifact_id) < order.index(s.edge.artifact_id)
    assert order.index(s.edge.artifact_id) < min(
        order.index(x.artifact_id) for x in (s.edge_access, s.monitoring, s.edge_monitoring)
    )


def test_cross_stack_values_only_through_declared_outputs(synth: Synth) -> None:
    """Each Fn::GetStackOutput names an existing output of a stack deployed earlier, in its region."""
    by_name = {st.stack_name: st for st in synth.all_stacks}
    graph = _stack_graph(synth)
    for stack in synth.all_stacks:
        template = synth.template(stack)
        text = json.dumps(template)
        assert "Fn::ImportValue" not in text  # exports would block updates of the producer
        assert not any(r["Type"].startswith("Custom::") for r in template["Resources"].values())
        for key, ref in _walk(template):
            if key != "Fn::GetStackOutput":
                continue
            producer = by_name[ref["StackName"]]
            assert ref["Region"] == producer.region
            assert ref["OutputName"] in synth.template(producer)["Outputs"]
            assert producer.artifact_id in graph[stack.artifact_id]


def test_a_route_set_passed_to_build_app_is_checked_like_the_catalogue() -> None:
    # Needs a config, not a synth: refused before any construct exists, so one configuration suffices.
    import dataclasses

    import aws_cdk as cdk

    from stacks.build import build_app

    twin = dataclasses.replace(ROUTES[1], name="create_order_again")  # same method + path, another name
    app = cdk.App()
    with pytest.raises(ValueError, match="duplicate method\\+path"):
        build_app(app, config_for("us-east-1"), (*ROUTES, twin))
    assert not app.node.children  # refused before any stack exists
