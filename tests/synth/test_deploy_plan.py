"""`make deploy`'s order and forced stacks, derived from the synthesized templates (scripts/deploy_plan.py).

Fn::GetStackOutput is resolved only when the consuming stack is updated: every stack reading one from a
stack deployed before it must be forced, or a replaced producer resource (snap_start on: a new Function
URL on the alias) leaves it pointing at the old one while its own template stays identical.
"""

from __future__ import annotations

import json

from scripts.deploy_plan import Reference, order, plan, references
from tests.support.synth import Synth


def _all_get_stack_output_calls(value: object) -> list[dict]:
    """An independent walk of a template for the weak-reference function."""
    text = json.dumps(value)
    return [json.loads(m) for m in _objects_after(text, '"Fn::GetStackOutput": ')]


def _objects_after(text: str, marker: str) -> list[str]:
    out, start = [], text.find(marker)
    while start != -1:
        i = start + len(marker)
        depth, j = 0, i
        while True:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
            if depth == 0:
                break
        out.append(text[i:j])
        start = text.find(marker, j)
    return out


def test_every_weak_reference_in_every_template_is_in_the_plan(synth: Synth) -> None:
    refs = references(synth.outdir)
    stacks = {s.stack_name: s for s in synth.all_stacks}
    expected = set()
    for path in synth.outdir.glob("*.template.json"):
        calls = _all_get_stack_output_calls(json.loads(path.read_text()))
        if not calls:
            continue
        # Nested templates count for the stack that owns them (their file name starts with its id).
        owner = max((n for n in stacks if path.name.startswith((n + ".", n.replace("-", "")))), key=len)
        expected |= {(owner, c["StackName"], c["OutputName"]) for c in calls}
    assert expected, "the app reads at least one output across stacks"
    assert {(r.consumer, r.producer, r.output) for r in refs if r.weak} == expected


def test_producers_deploy_before_consumers_and_every_weak_consumer_is_forced(synth: Synth) -> None:
    refs = references(synth.outdir)
    steps = plan(synth.outdir)
    sequence = [s for step in steps for s in step.stacks]
    assert sorted(sequence) == sorted(s.stack_name for s in synth.all_stacks)
    assert sequence == order(synth.outdir, refs)
    forced = {s for step in steps if step.force for s in step.stacks}
    for r in refs:
        assert sequence.index(r.producer) < sequence.index(r.consumer), r
    assert forced == {r.consumer for r in refs if r.weak}
    # The CDK's own dependencies agree, so `cdk deploy` of several stacks keeps this order too.
    deps = {k: set(v.get("dependencies", [])) for k, v in synth.manifest["artifacts"].items()}
    assert all(r.producer in deps[r.consumer] for r in refs)


def test_snap_start_on_forces_the_edge_after_the_service(synth_eu: Synth) -> None:
    """The issue's outage: SnapStart on moves the Function URL to the alias (a new URL domain) while
    the Edge template stays byte-identical; Edge must still be updated, after Service."""
    assert synth_eu.config.snap_start
    service, edge = synth_eu.stacks.service.stack_name, synth_eu.stacks.edge.stack_name
    assert Reference(edge, service, "FunctionUrlDomain", weak=True) in references(synth_eu.outdir)
    steps = plan(synth_eu.outdir)
    (edge_step,) = (s for s in steps if edge in s.stacks)
    (service_step,) = (s for s in steps if service in s.stacks)
    assert edge_step.force
    assert not service_step.force  # reads nothing: the CLI may skip it when unchanged
    assert steps.index(service_step) < steps.index(edge_step)


def test_turning_snap_start_on_keeps_the_old_url_serving_until_the_edge_has_moved(snap_start_synth: Synth) -> None:
    """The deployed Service serves its URL from the function (snap_start was off); this assembly moves it to
    the alias. Order: Service keeping both URLs, EdgeAccess granting both, the Edge moving (and every other
    consumer), then the old grants and the old URL removed."""
    import re

    s = snap_start_synth.stacks
    arn = "arn:aws:lambda:eu-west-1:111111111111:function:orders-api-api"
    asked = []

    def deployed(stack: object) -> dict[str, str]:
        asked.append(stack.artifact_id)  # type: ignore[attr-defined]
        return {"UrlTarget": "orders-api-api", "FunctionArn": arn}

    steps = plan(snap_start_synth.outdir, deployed=deployed)
    assert asked == [s.service.stack_name]  # only the stack that can keep an old target is read
    service, access, edge = s.service.stack_name, s.edge_access.stack_name, s.edge.stack_name
    params = [{k: v for _, k, v in step.parameters} for step in steps]
    names = [step.stacks for step in steps]
    assert names[0] == (service,)
    assert params[0] == {"RetiringUrlTarget": "orders-api-api"}
    assert names[1] == (access,)
    assert params[1] == {"RetiringFunctionArn": arn}
    assert steps[1].force
    assert edge in names[2]
    assert steps[2].force
    assert access not in names[2]
    assert names[-2:] == [(access,), (service,)]
    assert params[-2:] == [{"RetiringFunctionArn": "none"}, {"RetiringUrlTarget": "none"}]
    assert steps[-1].force
    assert steps[-2].force
    assert {x for step in steps for x in step.stacks} == {x.stack_name for x in snap_start_synth.all_stacks}
    # CloudFormation accepts the ARN the plan passes (the parameter's pattern), for a function and an alias.
    pattern = snap_start_synth.template(s.edge_access)["Parameters"]["RetiringFunctionArn"]["AllowedPattern"]
    assert re.match(pattern, arn)
    assert re.match(pattern, arn + ":live")
    assert re.match(pattern, "none")
    assert not re.match(pattern, "orders-api-api")


def test_a_deploy_that_moves_nothing_passes_none_for_every_retiring_parameter(synth: Synth) -> None:
    steps = plan(synth.outdir, deployed=lambda stack: {"UrlTarget": synth.stacks.service.target_identity})
    passed = {(st, k): v for step in steps for st, k, v in step.parameters}
    assert passed == {
        (synth.stacks.service.stack_name, "RetiringUrlTarget"): "none",
        (synth.stacks.edge_access.stack_name, "RetiringFunctionArn"): "none",
    }
    assert [x.stacks for x in steps] == [x.stacks for x in plan(synth.outdir)]
