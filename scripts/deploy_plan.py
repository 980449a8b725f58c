"""`make deploy`'s order, derived from the synthesized templates' own cross-stack references.

Stacks read each other's outputs with ``Fn::GetStackOutput``: a *weak* reference that CloudFormation
resolves only when the consuming stack is created or updated, never pushed. When a producer replaces a
resource (turning ``snap_start`` on puts the Function URL on an alias: a new URL), a consumer whose own
template did not change (Edge: byte-identical) is skipped by the CDK CLI and keeps the old value. So
every stack that reads a weak reference from a stack being deployed is deployed with ``--force``, after
its producers. ``Fn::ImportValue`` (an ordinary export) orders stacks too but needs no force:
CloudFormation refuses to change an export that is imported.

Nothing here is a hand-written list: the references are read from every template of the cloud assembly
(nested stacks count for their parent), so a new reference cannot be forgotten.

Forcing is not enough when what an output points at changes (its *identity*): CloudFormation updates a
stack only when its template or parameters change, so each consumer writes that identity into its own
template (tests/synth/test_identity.py), and the order must keep the old target serving until the edge has
moved. A stack declares what it can keep with a parameter ``Retiring<Output>`` (default ``none``):

- on a producer, for one of its own outputs: its AllowedValues are the previous values it can keep serving
  (the Service: ``RetiringUrlTarget``, the URL target snap_start moves away from);
- on a consumer, for an output it reads: it keeps serving (granting) that output's previous value.

When a producer's deployed ``<Output>`` is one of its ``Retiring<Output>`` values (and not its new one) the
run *moves*: the producer is deployed keeping the old target, then the consumers that hold a retiring
parameter (EdgeAccess: grants on both targets), then the rest (the Edge switches its origin), and last the
retiring parameters go back to ``none`` (old grants, then the old URL, deleted). Every other run passes
``none`` explicitly, so a previous value never lingers. Which case applies is read at ``--run`` from the
deployed stacks' outputs (CloudFormation DescribeStacks, with boto3).

    python -m scripts.deploy_plan [cdk.out]                      # print the plan
    python -m scripts.deploy_plan cdk.out --run CDK [ARGS...]    # run it with that CDK CLI command

``--run`` deploys each step with ``CDK deploy --app <assembly> --exclusively [--force] [--parameters
STACK:Retiring...=VALUE] <stacks>`` and merges every step's outputs into ``<assembly>/outputs.json``.
Standard library only, but for boto3 at ``--run`` (reading the deployed outputs).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

WEAK = "Fn::GetStackOutput"
EXPORT = "Fn::ImportValue"
OUTPUTS_FILE = "outputs.json"
RETIRING = "Retiring"  # parameter-name prefix: Retiring<Output>
NOT_RETIRING = "none"


@dataclass(frozen=True)
class Reference:
    """``consumer`` reads ``output`` of ``producer`` (artifact ids); ``weak``: Fn::GetStackOutput."""

    consumer: str
    producer: str
    output: str
    weak: bool


@dataclass(frozen=True)
class Step:
    """One ``cdk deploy`` call: these stacks (in order), forced or not."""

    stacks: tuple[str, ...]
    force: bool
    parameters: tuple[tuple[str, str, str], ...] = ()  # (stack name, parameter, value), passed explicitly

    def command(self, cdk: Sequence[str], assembly: Path, outputs_file: Path) -> list[str]:
        return [
            *cdk,
            "deploy",
            "--app",
            str(assembly),
            "--exclusively",
            *(["--force"] if self.force else []),
            *(arg for stack, name, value in self.parameters for arg in ("--parameters", f"{stack}:{name}={value}")),
            "--outputs-file",
            str(outputs_file),
            *self.stacks,
        ]


@dataclass(frozen=True)
class Stack:
    artifact_id: str  # what `cdk deploy` selects
    name: str  # the CloudFormation stack name Fn::GetStackOutput names
    region: str
    templates: tuple[dict[str, Any], ...]  # its own template, then its nested stacks'

    @property
    def retiring(self) -> dict[str, list[str]]:
        """Its ``Retiring<Output>`` parameters: output name -> allowed values (empty: any)."""
        params = self.templates[0].get("Parameters", {})
        return {
            name.removeprefix(RETIRING): list(p.get("AllowedValues", []))
            for name, p in params.items()
            if name.startswith(RETIRING)
        }

    @property
    def outputs(self) -> dict[str, Any]:
        return self.templates[0].get("Outputs", {})


def stacks(assembly: Path) -> dict[str, Stack]:
    """Every CloudFormation stack of the assembly by artifact id, with its nested templates."""
    manifest = json.loads((assembly / "manifest.json").read_text())
    out = {}
    for artifact_id, artifact in manifest["artifacts"].items():
        if artifact["type"] != "aws:cloudformation:stack":
            continue
        props = artifact["properties"]
        template = json.loads((assembly / props["templateFile"]).read_text())
        region = artifact["environment"].rsplit("/", 1)[-1]
        out[artifact_id] = Stack(
            artifact_id, props.get("stackName", artifact_id), region, (template, *nested(assembly, template))
        )
    return out


def nested(assembly: Path, template: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Nested stacks' templates (and theirs), found through their asset path."""
    for resource in template.get("Resources", {}).values():
        path = resource.get("Metadata", {}).get("aws:asset:path")
        if resource.get("Type") == "AWS::CloudFormation::Stack" and path:
            child = json.loads((assembly / path).read_text())
            yield child
            yield from nested(assembly, child)


def _calls(value: Any, function: str) -> Iterator[Any]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == function:
                yield inner
            else:
                yield from _calls(inner, function)
    elif isinstance(value, list):
        for inner in value:
            yield from _calls(inner, function)


def references(assembly: Path) -> list[Reference]:
    """Every cross-stack reference in the assembly, weak and exported, deduplicated and sorted."""
    by_stack = stacks(assembly)
    by_name = {(s.name, s.region): s.artifact_id for s in by_stack.values()}
    exports = {
        json.dumps(out["Export"]["Name"], sort_keys=True): (s.artifact_id, key)
        for s in by_stack.values()
        for key, out in s.templates[0].get("Outputs", {}).items()
        if "Export" in out
    }
    found: set[Reference] = set()
    for consumer in by_stack.values():
        for template in consumer.templates:
            for call in _calls(template, WEAK):
                key = (call["StackName"], call.get("Region", consumer.region))
                if key not in by_name:
                    raise ValueError(f"{consumer.artifact_id} reads {call} from a stack not in {assembly}")
                found.add(Reference(consumer.artifact_id, by_name[key], call["OutputName"], weak=True))
            for call in _calls(template, EXPORT):
                producer = exports.get(json.dumps(call, sort_keys=True))
                if producer is None:
                    raise ValueError(f"{consumer.artifact_id} imports {call}, which no stack here exports")
                found.add(Reference(consumer.artifact_id, producer[0], producer[1], weak=False))
    return sorted(found, key=lambda r: (r.consumer, r.producer, r.output))


def _graph(assembly: Path, refs: Sequence[Reference]) -> dict[str, set[str]]:
    """Stack -> the stacks it needs deployed first: its references' producers and the CDK's declared
    stack dependencies (so `cdk deploy` of several stacks at once agrees)."""
    manifest = json.loads((assembly / "manifest.json").read_text())
    graph: dict[str, set[str]] = {i: set() for i in stacks(assembly)}
    for r in refs:
        graph[r.consumer].add(r.producer)
    for i in graph:
        graph[i] |= {d for d in manifest["artifacts"][i].get("dependencies", []) if d in graph}
    return graph


def order(assembly: Path, refs: Sequence[Reference]) -> list[str]:
    """Producers before consumers; ties keep the manifest's order, so the plan is stable."""
    graph = _graph(assembly, refs)
    ids = list(graph)
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    out: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=ids.index)
        out += ready
        sorter.done(*ready)
    return out


# The deployed outputs of a stack (OutputKey -> OutputValue), or None when it is not deployed.
Deployed = Callable[[Stack], "dict[str, str] | None"]


def moves(assembly: Path, deployed: Deployed, deploying: Sequence[str] | None = None) -> dict[str, dict[str, str]]:
    """Producers deployed in this run whose deployed value of an output they can retire differs from the new
    one (artifact id -> its deployed outputs). Asks ``deployed`` only about such producers."""
    out = {}
    for s in stacks(assembly).values():
        if deploying is not None and s.artifact_id not in deploying:
            continue
        own = {o: allowed for o, allowed in s.retiring.items() if o in s.outputs}
        if not own:
            continue
        current = deployed(s)
        if not current:
            continue  # a first deploy: nothing to keep
        for output, allowed in own.items():
            old, new = current.get(output), s.outputs[output].get("Value")
            if old is not None and old != new and old != NOT_RETIRING and (not allowed or old in allowed):
                out[s.artifact_id] = current
    return out


def retiring_values(assembly: Path, moving: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Stack -> {parameter: value} for every Retiring parameter while ``moving`` move: the deployed value
    of the output each names (a producer's own, or the moving producer's it reads), else ``none``."""
    by_id = stacks(assembly)
    reads = {(r.consumer, r.output): r.producer for r in references(assembly) if r.weak}
    values: dict[str, dict[str, str]] = {}
    for s in by_id.values():
        for output in s.retiring:
            source = s.artifact_id if output in s.outputs else reads.get((s.artifact_id, output))
            value = moving.get(source or "", {}).get(output, NOT_RETIRING)
            values.setdefault(s.artifact_id, {})[RETIRING + output] = value
    return values


def _with_parameters(assembly: Path, step: Step, values: dict[str, dict[str, str]]) -> Step:
    by_id = stacks(assembly)
    params = tuple((by_id[s].name, k, v) for s in step.stacks for k, v in sorted(values.get(s, {}).items()))
    return Step(step.stacks, step.force, params)


def plan(assembly: Path, deploying: Sequence[str] | None = None, deployed: Deployed | None = None) -> list[Step]:
    """The steps deploying ``deploying`` (default: every stack). A stack is forced when it reads a weak
    reference from a stack deployed in this run (whose value may have changed); each step is as large
    as the order allows, so a plain deploy is two `cdk deploy` calls.

    With ``deployed`` (the deployed outputs, read at --run) a producer that moves an output it can retire
    (see the module's doc) makes the run: the producer keeping the old target; right after it, forced, the
    consumers holding a retiring parameter (both targets served); the other steps; then those consumers
    and the producer again with ``none``."""
    steady = _steady(assembly, deploying)
    moving = moves(assembly, deployed, deploying) if deployed else {}
    values = retiring_values(assembly, moving)
    if not moving:
        none = {s: {k: NOT_RETIRING for k in v} for s, v in values.items()}
        return [_with_parameters(assembly, step, none) for step in steady]
    keepers = [
        s
        for step in steady
        for s in step.stacks
        if s not in moving and any(v != NOT_RETIRING for v in values.get(s, {}).values())
    ]
    none = {s: {k: NOT_RETIRING for k in values.get(s, {})} for s in (*keepers, *moving)}
    out: list[Step] = []
    for step in steady:
        rest = tuple(s for s in step.stacks if s not in keepers)
        if rest:
            out.append(_with_parameters(assembly, Step(rest, step.force), values))
        if keepers and any(s in moving for s in step.stacks):
            out.append(_with_parameters(assembly, Step(tuple(keepers), True), values))
    if keepers:
        out.append(_with_parameters(assembly, Step(tuple(keepers), True), none))
    out.append(_with_parameters(assembly, Step(tuple(s for s in _ids(steady) if s in moving), True), none))
    return out


def _ids(steps: Sequence[Step]) -> list[str]:
    return [s for step in steps for s in step.stacks]


def _steady(assembly: Path, deploying: Sequence[str] | None) -> list[Step]:
    refs = references(assembly)
    graph = _graph(assembly, refs)
    chosen = set(graph if deploying is None else deploying)
    pending = [s for s in order(assembly, refs) if s in chosen]
    forced = {r.consumer for r in refs if r.weak and r.producer in chosen}
    done: set[str] = set()
    steps: list[Step] = []
    while pending:
        force = pending[0] in forced  # the first pending stack is always ready
        step: list[str] = []
        grew = True
        while grew:
            grew = False
            for s in pending:
                ready = (graph[s] & chosen) <= done | set(step)
                if s not in step and (s in forced) == force and ready:
                    step.append(s)
                    grew = True
        steps.append(Step(tuple(step), force))
        done |= set(step)
        pending = [s for s in pending if s not in step]
    return steps


def describe(assembly: Path, steps: Sequence[Step] | None = None) -> str:
    refs = references(assembly)
    lines = ["Cross-stack references (consumer <- producer.output):"]
    lines += [f"  {r.consumer} <- {r.producer}.{r.output} ({'weak' if r.weak else 'export'})" for r in refs]
    retiring = [f"{s.artifact_id}.{o}" for s in stacks(assembly).values() for o in s.retiring if o in s.outputs]
    if retiring:
        lines.append(f"Kept serving while the edge moves, when the deployed value changes: {', '.join(retiring)}")
    lines.append("Deploy steps:")
    lines += [_describe_step(i, s) for i, s in enumerate(plan(assembly) if steps is None else steps, 1)]
    return "\n".join(lines)


def _describe_step(i: int, step: Step) -> str:
    params = "".join(f" {k}={v}" for _, k, v in step.parameters)
    return f"  {i}. {' '.join(step.stacks)}{' (--force)' if step.force else ''}{params}"


def deployed_outputs(stack: Stack) -> dict[str, str] | None:
    """The stack's outputs as deployed (CloudFormation DescribeStacks in its region), None if it does not exist."""
    import boto3  # only at --run: the plan itself needs no AWS
    from botocore.exceptions import ClientError

    client = boto3.client("cloudformation", region_name=stack.region)
    try:
        (found,) = client.describe_stacks(StackName=stack.name)["Stacks"]
    except ClientError as err:
        if "does not exist" in str(err):
            return None
        raise
    if found["StackStatus"] == "REVIEW_IN_PROGRESS":  # created by a change set, never deployed
        return None
    return {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}


def run(assembly: Path, cdk: Sequence[str], deployed: Deployed = deployed_outputs) -> int:
    merged: dict[str, Any] = {}
    steps = plan(assembly, deployed=deployed)
    print(describe(assembly, steps), flush=True)
    for i, step in enumerate(steps, 1):
        outputs = assembly / f"outputs-step{i}.json"
        command = step.command(cdk, assembly, outputs)
        print("+", " ".join(command), flush=True)
        code = subprocess.call(command)  # noqa: S603 - the operator's own CDK CLI and stack names
        if code:
            return code
        if outputs.exists():
            merged.update(json.loads(outputs.read_text()))
            outputs.unlink()
    (assembly / OUTPUTS_FILE).write_text(json.dumps(merged, indent=2) + "\n")
    return 0


def main(argv: list[str]) -> int:
    if "--run" in argv:
        at = argv.index("--run")
        args, cdk = argv[:at], argv[at + 1 :]
        if not cdk:
            sys.stderr.write("--run needs the CDK CLI command after it\n")
            return 2
    else:
        args, cdk = argv, []
    if len(args) > 1:
        sys.stderr.write(__doc__ or "")
        return 2
    assembly = Path(args[0] if args else "cdk.out")
    if cdk:
        return run(assembly, cdk)
    print(describe(assembly), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
