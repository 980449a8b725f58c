"""A cloud assembly on disk, as `cdk synth` writes it, for the tools that read one (scripts/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def assembly(tmp_path: Path, templates: dict[str, tuple[str, dict[str, Any]]], deps: dict[str, list[str]]) -> Path:
    """A cloud assembly: stack name -> (region, template); ``deps`` are the CDK's declared dependencies."""
    artifacts = {}
    for name, (region, template) in templates.items():
        (tmp_path / f"{name}.template.json").write_text(json.dumps(template))
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "environment": f"aws://111111111111/{region}",
            "properties": {"templateFile": f"{name}.template.json"},
            "dependencies": deps.get(name, []),
        }
    (tmp_path / "manifest.json").write_text(json.dumps({"artifacts": artifacts}))
    return tmp_path
