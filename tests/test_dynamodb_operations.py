"""contract.DYNAMODB_OPERATIONS (IAM grants and monitoring read it) is exactly what the service calls.

The calls are recorded where the real botocore client sends them to the emulator, while every route
of the catalogue is exercised, so the constant cannot go stale in either direction.
"""

from __future__ import annotations

import os

import botocore.session
import pytest

from service import contract
from service.catalogue import ROUTES
from service.dal.orders_table import OrdersTable
from service.routes import orders
from tests.support import Call, invoke, new_order


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
    assert sorted(set(called)) == sorted(contract.DYNAMODB_OPERATIONS)
