"""Runs the edge function's Node unit tests (tests/cloudfront_functions/*.test.mjs) so `make test` covers them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.paths import ROOT, node_binary

EDGE_TESTS = Path(__file__).resolve().parent


def test_edge_function_node_suite() -> None:
    node = node_binary()
    if node is None:
        pytest.skip("node is not installed: the edge function's tests need Node 20+ (present on CI machines)")
    files = sorted(str(p.relative_to(ROOT)) for p in EDGE_TESTS.glob("*.test.mjs"))
    assert files, "no Node test files found"
    run = subprocess.run([node, "--test", *files], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, f"node --test failed:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    assert "# fail 0" in run.stdout
