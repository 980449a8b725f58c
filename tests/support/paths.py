"""Where things are: the repository root, and the Node binary the edge tier runs its tests with."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def node_binary() -> str | None:
    """`node` from PATH (Node 20 on CI machines), else the pinned one npm installs for the CDK."""
    local = ROOT / "node_modules" / "node" / "bin" / "node"
    return shutil.which("node") or (str(local) if local.exists() else None)
