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

    python -m scripts.deploy_plan [cdk.out]                      # print the plan
    python -m scripts.deploy_plan cdk.out --run CDK [ARGS...]    # run it with that CDK CLI command

``--run`` deploys each step with ``CDK deploy --app <assembly> --exclusively [--force] <stacks>`` and
merges every step's outputs into ``<assembly>/outputs.json``. Standard library only.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

WEAK = "Fn::GetStackOutput"
EXPORT = "Fn::ImportValue"
OUTPUTS_FILE = "outputs.json"


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

    def command(self, cdk: Sequence[str], assembly: Path, outputs_file: Path) -> list[str]:
        return [
            *cdk,
            "deploy",
            "--app",
            str(assembly),
            "--exclusively",
            *(["--force"] if self.force else []),
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


def plan(assembly: Path, deploying: Sequence[str] | None = None) -> list[Step]:
    """The steps deploying ``deploying`` (default: every stack). A stack is forced when it reads a weak
    reference from a stack deployed in this run (whose value may have changed); each step is as large
    as the order allows, so a plain deploy is two `cdk deploy` calls."""
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


def describe(assembly: Path) -> str:
    refs = references(assembly)
    lines = ["Cross-stack references (consumer <- producer.output):"]
    lines += [f"  {r.consumer} <- {r.producer}.{r.output} ({'weak' if r.weak else 'export'})" for r in refs]
    lines.append("Deploy steps:")
    lines += [f"  {i}. {' '.join(s.stacks)}{' (--force)' if s.force else ''}" for i, s in enumerate(plan(assembly), 1)]
    return "\n".join(lines)


def run(assembly: Path, cdk: Sequence[str]) -> int:
    merged: dict[str, Any] = {}
    for i, step in enumerate(plan(assembly), 1):
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
    print(describe(assembly), flush=True)
    return run(assembly, cdk) if cdk else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
