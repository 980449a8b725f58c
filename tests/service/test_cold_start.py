"""Cold-start mechanics: the one-service model loader, the paused-then-frozen GC during init, and the
SnapStart after-restore hook (registered with a stand-in for the runtime's snapshot_restore_py)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import UnknownServiceError

from service import startup
from service.dal import budgeted_client
from tests.support.handler import invoke, new_order

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_dynamodb_client_matches_botocores_default(region: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same model (latest version botocore ships), same operations and shapes, same endpoint."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    ours = budgeted_client.dynamodb_session().create_client("dynamodb")
    default = botocore.session.get_session().create_client("dynamodb")
    assert ours.meta.service_model.api_version == default.meta.service_model.api_version
    assert ours.meta.service_model.operation_names == default.meta.service_model.operation_names
    for op in ("GetItem", "PutItem", "DeleteItem", "Scan"):
        ours_op, default_op = (
            ours.meta.service_model.operation_model(op),
            default.meta.service_model.operation_model(op),
        )
        assert ours_op.input_shape.members.keys() == default_op.input_shape.members.keys()
    assert ours.meta.endpoint_url == default.meta.endpoint_url == f"https://dynamodb.{region}.amazonaws.com"
    assert ours.meta.region_name == region


def test_loader_skips_the_data_directory_scan_and_keeps_the_search_path() -> None:
    session = budgeted_client.dynamodb_session()
    loader = session.get_component("data_loader")
    default = botocore.session.get_session().get_component("data_loader")
    assert loader.search_paths == default.search_paths
    assert loader.list_available_services("service-2") == ["dynamodb"]
    # The scan is what it saves: botocore's default answer lists every service it ships.
    assert len(default.list_available_services("service-2")) > 300
    # The session serves DynamoDB only, as the service needs.
    with pytest.raises(UnknownServiceError):
        session.create_client("s3", region_name="us-east-1")


def _fresh_interpreter(code: str, bytecode: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_")}
    if bytecode is not None:
        # As in Lambda, whose asset ships the service compiled (asset/bytecode.py): compiling handler.py in the
        # child, before its frozen block, may itself start a collection, depending on what the caches hold.
        env |= {"PYTHONPYCACHEPREFIX": str(bytecode), "PYTHONDONTWRITEBYTECODE": ""}
        subprocess.run([sys.executable, "-m", "compileall", "-q", "service"], cwd=ROOT, env=env, check=True)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_init_runs_no_collection_and_freezes_what_it_built(tmp_path: Path) -> None:
    result = _fresh_interpreter(
        # What handler.py imports before its frozen block is imported first: the count is the block's.
        "import gc, json, random, time, typing, service.startup\n"
        "runs = []\n"
        "gc.callbacks.append(lambda phase, info: runs.append(info['generation']) if phase == 'start' else None)\n"
        "import service.handler\n"
        "print(json.dumps({'collections': len(runs), 'enabled': gc.isenabled(), 'frozen': gc.get_freeze_count()}))\n",
        bytecode=tmp_path,
    )
    assert result["collections"] == 0
    assert result["enabled"] is True  # paused for init only
    assert result["frozen"] > 50_000  # modules, classes, validators, the DynamoDB model


def test_frozen_init_leaves_a_disabled_collector_disabled() -> None:
    import gc

    gc.disable()
    try:
        with startup.frozen_init():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_no_restore_hook_outside_the_lambda_runtime() -> None:
    assert startup.register_after_restore(lambda: None) is False


def test_handler_registers_its_restore_hook_with_the_runtime() -> None:
    """With a stand-in for the managed runtime's snapshot_restore_py, importing the handler registers
    exactly its refresh_after_restore, once."""
    result = _fresh_interpreter(
        "import json, sys, types\n"
        "hooks = []\n"
        "runtime = types.ModuleType('snapshot_restore_py')\n"
        "runtime.register_after_restore = hooks.append\n"
        "sys.modules['snapshot_restore_py'] = runtime\n"
        "import service.handler\n"
        "print(json.dumps([f'{h.__module__}.{h.__qualname__}' for h in hooks]))\n"
    )
    assert result == ["service.handler.refresh_after_restore"]


def test_after_restore_reseeds_random_and_replaces_the_dynamodb_client(
    empty_table: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service import handler

    assert invoke("POST", "/orders", body=new_order()).status == 201
    # Watch clients through the class's public surface: which are created, closed, and then called.
    created: list[budgeted_client.BudgetedClient] = []
    closed: list[budgeted_client.BudgetedClient] = []
    called: list[budgeted_client.BudgetedClient] = []
    init, close, lookup = (
        budgeted_client.BudgetedClient.__init__,
        budgeted_client.BudgetedClient.close,
        budgeted_client.BudgetedClient.__getattr__,
    )

    def spy_init(self: budgeted_client.BudgetedClient, *args: Any, **kwargs: Any) -> None:
        created.append(self)
        init(self, *args, **kwargs)

    def spy_close(self: budgeted_client.BudgetedClient) -> None:
        closed.append(self)
        close(self)

    def spy_lookup(self: budgeted_client.BudgetedClient, name: str) -> Any:
        called.append(self)
        return lookup(self, name)

    monkeypatch.setattr(budgeted_client.BudgetedClient, "__init__", spy_init)
    monkeypatch.setattr(budgeted_client.BudgetedClient, "close", spy_close)
    monkeypatch.setattr(budgeted_client.BudgetedClient, "__getattr__", spy_lookup)
    random.seed(1234)  # as if every restored environment started from this state
    snapshot_state = random.getstate()

    handler.refresh_after_restore()

    assert random.getstate() != snapshot_state
    (new_client,) = created
    (old_client,) = closed  # the snapshot's client: its pool is closed
    assert old_client is not new_client
    # The next request goes through the new client, on the same table.
    called.clear()
    listed = invoke("GET", "/orders")
    assert listed.status == 200
    assert len(listed.json["orders"]) == 1
    assert {id(c) for c in called} == {id(new_client)}  # non-empty: the request did call
