#!/usr/bin/env python3
"""Compare two CDK cloud assemblies resource by resource: ``python scripts/compare_templates.py BEFORE AFTER``.

For a refactoring that must not change what is deployed. Every ``*.template.json`` (nested stacks
included, matched by file name) is normalized first, so only deployable differences remain:
- asset hashes (64 hex characters: S3 keys, nested-stack template URLs, asset paths) read ``<hash>``;
- nested-stack file names keep their construct path and lose their hash suffix;
- cdk-nag's ``Metadata.cdk_nag`` / ``aws:cdk:*`` metadata is dropped (suppression bookkeeping,
  rewritten on every change of a construct path, not deployed).

Prints added / removed / changed resources (stack, logical id, type, and the changed property paths,
with both values when short) and exits 1 when anything differs. Standard library only.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

HASH = re.compile(r"[0-9a-f]{64}")
NESTED_SUFFIX = re.compile(r"[0-9A-F]{8}\.nested\.template\.json$")
MAX_VALUE = 160  # print both values of a changed leaf when they are this short


def normalize(value: Any) -> Any:
    if isinstance(value, dict):
        if "DashboardBody" in value:
            value = {**value, "DashboardBody": dashboard_body(value["DashboardBody"])}
        return {k: normalize(v) for k, v in value.items() if k != "cdk_nag" and not k.startswith("aws:cdk:")}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, str):
        return NESTED_SUFFIX.sub(".nested.template.json", HASH.sub("<hash>", value))
    return value


def dashboard_body(body: Any) -> Any:
    """A dashboard body is JSON text inside Fn::Join: parse it (tokens as their JSON) so a change
    reads as a widget property path rather than a join index."""
    if isinstance(body, dict) and "Fn::Join" in body:
        sep, parts = body["Fn::Join"]
        # Tokens sit inside JSON string literals: escape them for that context.
        body = sep.join(
            p if isinstance(p, str) else json.dumps(f"<{json.dumps(p, sort_keys=True)}>")[1:-1] for p in parts
        )
    try:
        return json.loads(body) if isinstance(body, str) else body
    except json.JSONDecodeError:
        return body


def templates(assembly: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(assembly.glob("*.template.json")):
        name = NESTED_SUFFIX.sub("(nested)", path.name).removesuffix(".template.json")
        out[name] = normalize(json.loads(path.read_text()))
    return out


def diff_paths(a: Any, b: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            out += diff_paths(a.get(k, "<absent>"), b.get(k, "<absent>"), f"{path}.{k}" if path else k)
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) == len(b):
            out = []
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                out += diff_paths(x, y, f"{path}[{i}]")
            return out
        # Different lengths: the elements only one side has (compared as JSON).
        keys_a, keys_b = ([json.dumps(x, sort_keys=True) for x in v] for v in (a, b))
        removed = [x for x, k in zip(a, keys_a, strict=True) if k not in keys_b]
        added = [y for y, k in zip(b, keys_b, strict=True) if k not in keys_a]
        return [(f"{path}[-]", x, "<absent>") for x in removed] + [(f"{path}[+]", "<absent>", y) for y in added]
    return [] if a == b else [(path, a, b)]


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def _pair(a: Any, b: Any) -> str:
    """Both values; long strings from a little before their first difference."""
    if isinstance(a, str) and isinstance(b, str) and max(len(a), len(b)) > MAX_VALUE:
        start = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        start = max(0, start - 40)
        a, b = ("..." + a[start:] if start else a), ("..." + b[start:] if start else b)
    return f"{_short(a)}  ->  {_short(b)}"


def compare(before: Path, after: Path) -> list[str]:
    lines: list[str] = []
    old, new = templates(before), templates(after)
    for stack in sorted(set(old) | set(new)):
        if stack not in new:
            lines.append(f"- stack {stack}")
            continue
        if stack not in old:
            lines.append(f"+ stack {stack}")
            continue
        ro, rn = old[stack].get("Resources", {}), new[stack].get("Resources", {})
        for lid in sorted(set(ro) - set(rn)):
            lines.append(f"- {stack} {lid} {ro[lid]['Type']}")
        for lid in sorted(set(rn) - set(ro)):
            lines.append(f"+ {stack} {lid} {rn[lid]['Type']}")
        for lid in sorted(set(ro) & set(rn)):
            changes = diff_paths(ro[lid], rn[lid])
            if changes:
                lines.append(f"~ {stack} {lid} {rn[lid]['Type']}")
                for path, a, b in changes:
                    lines.append(f"    {path}: {_pair(a, b)}")
        for section in ("Parameters", "Outputs", "Conditions", "Mappings", "Rules"):
            for path, a, b in diff_paths(old[stack].get(section, {}), new[stack].get(section, {}), section):
                lines.append(f"~ {stack} {path}: {_pair(a, b)}")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write(__doc__ or "")
        return 2
    before, after = (Path(a) for a in argv)
    lines = compare(before, after)
    print("\n".join(lines) if lines else f"no differences ({len(templates(before))} templates)")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
