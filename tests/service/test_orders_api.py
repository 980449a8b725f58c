"""Every route's behaviour and error cases, through the real handler and an emulated DynamoDB."""

from __future__ import annotations

import base64
import json
import os

import pytest

from service.contract import SYNTHETIC_CUSTOMER
from tests.support.handler import invoke, new_order

PROBLEM_KEYS = {"type", "title", "status", "detail", "correlation_id"}


def assert_problem(call, status: int) -> dict:
    assert call.status == status, call.response
    assert call.headers["content-type"] == "application/problem+json"
    body = call.json
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["correlation_id"] == call.headers["x-correlation-id"]
    return body


def test_health_answers_without_dynamodb() -> None:
    call = invoke("GET", "/health")
    assert call.status == 200
    assert call.json == {"status": "ok", "service": "orders-api"}


def test_create_then_get_then_delete_an_order() -> None:
    created = invoke("POST", "/orders", body=new_order(quantity=3))
    assert created.status == 201
    order = created.json
    assert created.headers["location"] == f"/orders/{order['order_id']}"
    assert order["total_cents"] == 750
    assert order["status"] == "CREATED"
    assert order["created_at"].endswith("Z")

    fetched = invoke("GET", created.headers["location"])
    assert fetched.status == 200
    assert fetched.json == order

    deleted = invoke("DELETE", created.headers["location"])
    assert deleted.status == 204
    assert not deleted.response.get("body")

    assert_problem(invoke("GET", created.headers["location"]), 404)
    assert_problem(invoke("DELETE", created.headers["location"]), 404)


def test_list_pages_through_every_order_with_an_opaque_cursor(empty_table: None) -> None:
    ids = {invoke("POST", "/orders", body=new_order(customer_id=f"c{i}")).json["order_id"] for i in range(5)}
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        call = invoke("GET", "/orders?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert call.status == 200
        page = call.json
        assert len(page["orders"]) <= 2
        seen += [o["order_id"] for o in page["orders"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids)  # every order exactly once


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!!",
        base64.urlsafe_b64encode(b'{"k": "../../etc"}').decode(),
        base64.urlsafe_b64encode(b"[]").decode(),
    ],
)
def test_forged_cursors_are_a_400(cursor: str) -> None:
    body = assert_problem(invoke("GET", f"/orders?cursor={cursor}"), 400)
    assert "cursor" in body["detail"]


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=abc", "cursor=" + "a" * 600])
def test_bad_list_parameters_are_a_422(query: str) -> None:
    body = assert_problem(invoke("GET", f"/orders?{query}"), 422)
    assert body["errors"][0]["loc"][0] == "query"


def test_summary_aggregates_every_real_order(empty_table: None) -> None:
    invoke("POST", "/orders", body=new_order(customer_id="a", currency="EUR", quantity=1))
    invoke("POST", "/orders", body=new_order(customer_id="a", currency="EUR", quantity=2))
    invoke("POST", "/orders", body=new_order(customer_id="b", currency="USD", quantity=4))
    # The canary's order (canary/python/api_canary.py) is synthetic: never in the business summary.
    invoke("POST", "/orders", body=new_order(customer_id=SYNTHETIC_CUSTOMER, currency="EUR", quantity=9))
    call = invoke("GET", "/orders/summary")
    assert call.status == 200
    assert call.json == {
        "order_count": 3,
        "item_count": 7,
        "totals": [
            {"currency": "EUR", "order_count": 2, "total_cents": 750},
            {"currency": "USD", "order_count": 1, "total_cents": 1000},
        ],
        "top_customers": ["a", "b"],
    }


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"customer_id": "c", "currency": "EUR", "items": []},
        {"customer_id": "c", "currency": "XXX", "items": [{"sku": "A", "quantity": 1, "unit_price_cents": 1}]},
        {"customer_id": "c", "currency": "EUR", "items": [{"sku": "A", "quantity": "1", "unit_price_cents": 1}]},
        {"customer_id": "c", "currency": "EUR", "items": [{"sku": "A", "quantity": -1, "unit_price_cents": 1}]},
        {"customer_id": "c", "currency": "EUR", "items": [{"sku": "A", "quantity": 1, "unit_price_cents": 1}], "x": 1},
        {"customer_id": "ü\u202e", "currency": "EUR", "items": [{"sku": "A", "quantity": 1, "unit_price_cents": 1}]},
        [1, 2, 3],
    ],
)
def test_invalid_orders_are_a_422_and_store_nothing(body: object, empty_table: None) -> None:
    problem = assert_problem(invoke("POST", "/orders", body=body), 422)
    assert problem["errors"], problem
    assert invoke("GET", "/orders/summary").json["order_count"] == 0


@pytest.mark.parametrize(
    "raw",
    [
        "{bad json",
        '{"customer_id": "c",',
        "\udcff",
        "[" * 2000,  # nested deeper than the parser's recursion limit, 2 KB
        '{"customer_id": ' + "9" * 5000 + "}",  # an integer beyond Python's 4300-digit conversion limit
    ],
)
def test_malformed_json_is_a_400(raw: str, empty_table: None) -> None:
    assert_problem(invoke("POST", "/orders", body=raw), 400)
    assert invoke("GET", "/orders/summary").json["order_count"] == 0


def test_bodies_over_8_kb_are_a_413_even_when_valid(empty_table: None) -> None:
    order = new_order()
    order["customer_id"] = "c"
    order["items"] = [{"sku": f"S{i}", "quantity": 1, "unit_price_cents": 1} for i in range(50)]
    padded = json.dumps(order, indent=40)  # valid JSON, just big
    assert len(padded) > 8192
    body = assert_problem(invoke("POST", "/orders", body=padded), 413)
    assert "8192" in body["detail"]
    assert_problem(invoke("POST", "/orders", body="x" * 9000), 413)
    assert invoke("GET", "/orders/summary").json["order_count"] == 0


def test_a_body_of_exactly_8_kb_is_accepted() -> None:
    order = new_order()
    text = json.dumps(order)
    padded = text[:-1] + " " * (8192 - len(text)) + "}"
    assert len(padded.encode()) == 8192
    assert invoke("POST", "/orders", body=padded).status == 201


@pytest.mark.parametrize("order_id", ["abc", "A" * 32, "0" * 33, "%00", "..%2f..%2fetc"])
def test_malformed_order_ids_are_a_422(order_id: str) -> None:
    assert_problem(invoke("GET", f"/orders/{order_id}"), 422)


def test_unknown_path_is_a_404_and_wrong_method_a_405_with_allow() -> None:
    assert_problem(invoke("GET", "/nope"), 404)
    call = invoke("PUT", "/orders")
    assert_problem(call, 405)
    assert call.headers["allow"] == "GET, POST"


@pytest.mark.parametrize("content_type", ["application/octet-stream", "text/plain"])
def test_a_body_that_is_not_json_is_a_415(content_type: str) -> None:
    call = invoke("POST", "/orders", body=b"\x00\x01binary", headers={"content-type": content_type})
    assert_problem(call, 415)


def test_a_failing_dependency_is_a_generic_500_without_stack_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.dal.orders_table import OrdersTable
    from service.routes import orders

    monkeypatch.setattr(orders, "table", OrdersTable("table-that-does-not-exist", os.environ["DYNAMODB_ENDPOINT_URL"]))
    call = invoke("GET", "/orders/summary")
    body = assert_problem(call, 500)
    assert "Traceback" not in call.response["body"]
    assert "ResourceNotFound" not in call.response["body"]
    assert body["detail"].startswith("Internal error")
    # ...but the log has it, tied to the request by its correlation id.
    errors = [line for line in call.lines if line.get("message") == "unhandled error"]
    assert len(errors) == 1
    assert "ResourceNotFoundException" in errors[0]["exception"]
    assert errors[0]["correlation_id"] == body["correlation_id"]


def test_a_value_error_from_a_bug_is_still_a_500_not_a_client_error() -> None:
    """The 400 for unparseable bodies must not swallow ValueErrors raised by the service itself."""
    import boto3

    order_id = "f" * 32
    table = boto3.resource("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT_URL"]).Table(os.environ["TABLE_NAME"])
    table.put_item(Item={"order_id": order_id, "currency": "not-a-currency"})  # corrupt: fails Order validation
    try:
        call = invoke("GET", f"/orders/{order_id}")
    finally:
        table.delete_item(Key={"order_id": order_id})
    assert_problem(call, 500)
    assert call.access["Fault"] == 1


def test_base64_bodies_are_limited_by_their_decoded_size() -> None:
    """Binary bodies arrive base64-encoded (4/3 longer): the 8 KB limit applies to the bytes sent."""
    headers = {"content-type": "application/octet-stream"}
    at_limit = invoke("POST", "/orders", body=b"\x00" * 8192, headers=headers)
    assert at_limit.event["isBase64Encoded"] is True
    assert len(at_limit.event["body"]) > 8192  # encoded, it is over the limit; decoded, it is not
    assert_problem(at_limit, 415)  # refused for its type, not its size
    assert_problem(invoke("POST", "/orders", body=b"\x00" * 8193, headers=headers), 413)
