"""The function's asset ships bytecode for the runtime's Python (asset/bytecode.py), so a cold start
does not compile service/, and an interpreter of another version still runs it from source.

The proof that the runtime's Python *uses* the bytecode: in a copy of the asset whose every source file
is replaced by text that does not compile, that interpreter still loads every module's code (it read the
.pyc without looking at the source: unchecked-hash), while an interpreter of another version fails on
the same copy (it ignores bytecode it has no cache tag for and compiles the source).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from asset.bytecode import TASK_ROOT, find_interpreter
from stacks.service_stack import RUNTIME_PYTHON_VERSION, stage_service_asset
from tests.support.bytecode import RUNTIME_CACHE_TAG

# For every module: load its code the way the import system does (SourceFileLoader.get_code: the .pyc
# under __pycache__ when this interpreter has a valid one, else compile the source), and report how.
PROBE = r"""
import importlib.machinery, json, pathlib, sys
root = pathlib.Path(sys.argv[1])
out = {"cache_tag": sys.implementation.cache_tag, "modules": {}}
for path in sorted(root.rglob("*.py")):
    name = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
    try:
        code = importlib.machinery.SourceFileLoader(name, str(path)).get_code(name)
        out["modules"][name] = code.co_filename
    except SyntaxError as exc:
        out["modules"][name] = "SyntaxError"
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def asset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stage_service_asset(tmp_path_factory.mktemp("asset"))


@pytest.fixture(scope="module")
def runtime_python() -> str:
    found = find_interpreter(RUNTIME_PYTHON_VERSION)
    assert found, f"no python{RUNTIME_PYTHON_VERSION} on this machine: the asset would ship without bytecode"
    return found


def other_python() -> str | None:
    """An interpreter of another minor version than the runtime's (this one, when the suite runs on it)."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" != RUNTIME_PYTHON_VERSION:
        return sys.executable
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    for version in ("3.12", "3.11"):
        found = find_interpreter(version) or next(iter(glob.glob(f"{root}/versions/{version}*/bin/python3")), None)
        if found:
            return found
    return None


def probe(python: str, folder: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run(
        [python, "-I", "-c", PROBE, str(folder)], capture_output=True, text=True, check=True, env=env, timeout=60
    )
    return json.loads(out.stdout)


def unreadable_sources(asset: Path, target: Path) -> Path:
    """A copy of the asset whose sources no longer compile: only bytecode can make it load."""
    shutil.copytree(asset, target)
    for source in target.rglob("*.py"):
        source.write_text("this is not python (\n")
    return target


def test_every_module_has_bytecode_for_the_runtime_checked_by_hash(asset: Path, runtime_python: str) -> None:
    magic = subprocess.run(
        [runtime_python, "-c", "import importlib.util; print(importlib.util.MAGIC_NUMBER.hex())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    sources = sorted((asset / "service").rglob("*.py"))
    assert len(sources) > 10
    for source in sources:
        pyc = source.parent / "__pycache__" / f"{source.stem}.{RUNTIME_CACHE_TAG}.pyc"
        header = pyc.read_bytes()[:16]
        assert header[:4].hex() == magic, f"{pyc.name}: not compiled by python{RUNTIME_PYTHON_VERSION}"
        # PEP 552 flags: bit 0 = hash-based, bit 1 = check_source. 0b01: unchecked hash (no stat, no read
        # of the source on import; the asset never changes in place).
        assert int.from_bytes(header[4:8], "little") == 0b01, pyc.name
    # Nothing else compiled (e.g. an -O variant or another version's).
    assert {p.name for p in asset.rglob("*.pyc")} == {f"{s.stem}.{RUNTIME_CACHE_TAG}.pyc" for s in sources}


def test_the_runtime_python_loads_every_module_from_bytecode(asset: Path, runtime_python: str, tmp_path: Path) -> None:
    result = probe(runtime_python, unreadable_sources(asset, tmp_path / "copy"))
    assert result["cache_tag"] == RUNTIME_CACHE_TAG
    modules = result["modules"]
    assert {"service.handler", "service.tracing"} <= set(modules)
    # Every module loaded although no source compiles: from bytecode.
    assert "SyntaxError" not in modules.values(), modules


def test_bytecode_names_the_files_as_lambda_sees_them(asset: Path) -> None:
    """Compiled with the paths under /var/task (not the staging folder): the same bytes every synth."""
    pyc = asset / "service" / "__pycache__" / f"handler.{RUNTIME_CACHE_TAG}.pyc"
    assert f"{TASK_ROOT}/service/handler.py".encode() in pyc.read_bytes()
    assert str(asset).encode() not in pyc.read_bytes()


def test_an_interpreter_of_another_version_runs_from_source(asset: Path, tmp_path: Path) -> None:
    python = other_python()
    if python is None:
        pytest.skip(f"no Python other than {RUNTIME_PYTHON_VERSION} on this machine")
    # The real asset: every module compiles from its source (no bad-magic error from the shipped .pyc).
    result = probe(python, asset)
    assert result["cache_tag"] != RUNTIME_CACHE_TAG
    assert all(f.startswith(str(asset)) for f in result["modules"].values()), result["modules"]
    # ...and it really read the source: with the sources broken, nothing loads.
    broken = probe(python, unreadable_sources(asset, tmp_path / "copy"))
    assert set(broken["modules"].values()) == {"SyntaxError"}


def test_this_interpreter_imports_the_asset_whatever_its_version(asset: Path) -> None:
    """The whole function imports from the asset with the suite's interpreter (3.13 or not)."""
    env = os.environ | {"PYTHONPATH": str(asset), "TABLE_NAME": "orders-test", "AWS_DEFAULT_REGION": "us-east-1"}
    out = subprocess.run(
        [sys.executable, "-c", "import service.handler as h, json; print(json.dumps(h.__file__))"],
        cwd=asset,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]).startswith(str(asset))
