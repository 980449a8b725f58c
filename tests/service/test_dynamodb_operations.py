"""tables.DYNAMODB_OPERATIONS (IAM grants and monitoring read it) is exactly what the service calls.

The calls are recorded where the real botocore client sends them to the emulator, while every route
of the catalogue is exercised, so the constant cannot go stale in either direction.
"""

from __future__ import annotations

import os

import botocore.session
import pytest

from service.catalogue import ROUTES
from service.dal import tables
from service.dal.orders_table import OrdersTable
from service.routes import orders
from tests.support.handler import Call, invoke, new_order


def test_the_service_calls_exactly_the_declared_dynamodb_operations(
    monkeypatch: pytest.MonkeyPatch, empty_table: None
) -> None:
    called: list[str] = []
    session = botocore.session.Session()
    session.register("before-call.dynamodb", lambda model, **_: called.append(model.name))
    monkeypatch.setattr(botocore.session, "get_session", lambda: session)  # the table below binds its client to it
    monkeypatch.setattr(orders, "table", OrdersTable(os.environ["TABLE_NAME"], os.environ["DYNAMODB_ENDPOINT_URL"]))

    calls: list[Call] = [invoke("GET", "/health")]
    for customer in ("a", "b", "c"):
        calls.append(invoke("POST", "/orders", body=new_order(customer)))
    order_id = calls[-1].json["order_id"]
    first_page = invoke("GET", "/orders?limit=2")
    calls += [first_page, invoke("GET", f"/orders?limit=2&cursor={first_page.json['next_cursor']}")]
    calls += [invoke("GET", "/orders/summary"), invoke("GET", f"/orders/{order_id}")]
    calls.append(invoke("DELETE", f"/orders/{order_id}"))

    assert all(c.status < 400 for c in calls), [c.status for c in calls]
    assert {c.access["route"] for c in calls} == {r.label for r in ROUTES}  # every route exercised
    assert sorted(set(called)) == sorted(tables.DYNAMODB_OPERATIONS)


def test_idempotent_create_calls_only_the_declared_operations_on_its_own_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Powertools' persistence layer on the idempotency table: PutItem (lock), UpdateItem (result),
    DeleteItem (after a failed create), GetItem (only when a conditional put returns no old item,
    which DynamoDB does since ReturnValuesOnConditionCheckFailure: granted for that fallback)."""
    from service.dal import idempotency_store
    from service.dal.budgeted_client import BudgetedClient

    layer = idempotency_store.persistence_layer()  # built once per process (on the default session)
    called: set[tuple[str, str]] = set()
    session = botocore.session.Session()
    session.register(
        "provide-client-params.dynamodb", lambda params, model, **_: called.add((params["TableName"], model.name))
    )
    monkeypatch.setattr(botocore.session, "get_session", lambda: session)
    endpoint = os.environ["DYNAMODB_ENDPOINT_URL"]
    monkeypatch.setattr(orders, "table", OrdersTable(os.environ["TABLE_NAME"], endpoint))
    monkeypatch.setattr(layer, "client", BudgetedClient(endpoint))  # this test's client: the recording one
    assert invoke("POST", "/orders", body=new_order(), headers={"idempotency-key": "ops-1"}).status == 201
    assert invoke("POST", "/orders", body=new_order(), headers={"idempotency-key": "ops-1"}).status == 201
    assert invoke("POST", "/orders", body=new_order("x"), headers={"idempotency-key": "ops-1"}).status == 422
    monkeypatch.setattr(orders, "table", OrdersTable("no-such-table", endpoint))
    assert invoke("POST", "/orders", body=new_order(), headers={"idempotency-key": "ops-2"}).status == 500
    on_idempotency = {op for table, op in called if table == idempotency_store.table_name()}
    on_orders = {op for table, op in called if table == os.environ["TABLE_NAME"]}
    assert on_orders <= set(tables.DYNAMODB_OPERATIONS)
    assert {"PutItem", "UpdateItem", "DeleteItem"} <= on_idempotency <= set(tables.IDEMPOTENCY_DYNAMODB_OPERATIONS)
