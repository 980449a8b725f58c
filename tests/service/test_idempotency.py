"""Idempotent create: POST /orders with an Idempotency-Key (IETF HTTPAPI draft semantics), through
the real handler, Powertools' Idempotency utility and the emulated idempotency table."""

from __future__ import annotations

import os
import time
import uuid

import boto3
import pytest

from service import idempotency, request_state
from service.dal import idempotency_store, tables
from tests.support.handler import invoke, new_order


def key() -> str:
    return str(uuid.uuid4())


def order_count() -> int:
    call = invoke("GET", "/orders/summary")
    assert call.status == 200
    return call.json["order_count"]


def test_same_key_and_body_replays_the_first_201(empty_table: None) -> None:
    k = key()
    first = invoke("POST", "/orders", body=new_order(), headers={"idempotency-key": k})
    again = invoke("POST", "/orders", body=new_order(), headers={"idempotency-key": k})
    assert first.status == again.status == 201
    assert again.json == first.json  # same order id, same created_at: the stored response
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert order_count() == 1
    # One access line each, both successes on the create route.
    assert [c.access["route"] for c in (first, again)] == ["POST /orders"] * 2


def test_the_same_body_in_another_key_order_and_spacing_is_the_same_request(empty_table: None) -> None:
    k = key()
    body = new_order()
    first = invoke("POST", "/orders", body=body, headers={"idempotency-key": k})
    reordered = '{"items": [{"unit_price_cents": 250, "quantity": 2.0, "sku": "SKU-1"}],  "currency": "EUR", "customer_id": "cust-1"}'
    again = invoke("POST", "/orders", body=reordered, headers={"idempotency-key": k})
    assert again.status == 201
    assert again.json["order_id"] == first.json["order_id"]


def test_same_key_with_another_body_is_a_422_and_creates_nothing(empty_table: None) -> None:
    k = key()
    assert invoke("POST", "/orders", body=new_order(quantity=1), headers={"idempotency-key": k}).status == 201
    call = invoke("POST", "/orders", body=new_order(quantity=2), headers={"idempotency-key": k})
    assert call.status == 422
    assert call.headers["content-type"] == "application/problem+json"
    body = call.json
    assert body["errors"] == [{"loc": ["header", "idempotency-key"], "type": "idempotency_key_reused"}]
    assert body["correlation_id"] == call.headers["x-correlation-id"]
    assert call.access["ClientError"] == 1
    assert order_count() == 1


def test_a_duplicate_while_the_first_is_in_flight_is_a_409(monkeypatch: pytest.MonkeyPatch, empty_table: None) -> None:
    """The duplicate arrives while the first request is inside its DynamoDB write (as a second Lambda
    environment would): its record is INPROGRESS, so the duplicate is refused and nothing is created twice."""
    from service.routes import orders

    k = key()
    duplicates = []
    put_new = orders.table.put_new

    def slow_put_new(item: dict) -> None:
        if not duplicates:
            duplicates.append(invoke("POST", "/orders", body=new_order(), headers={"idempotency-key": k}))
        put_new(item)

    monkeypatch.setattr(orders.table, "put_new", slow_put_new)
    first = invoke("POST", "/orders", body=new_order(), headers={"idempotency-key": k})
    (duplicate,) = duplicates
    assert first.status == 201
    assert duplicate.status == 409, duplicate.response
    assert duplicate.headers["content-type"] == "application/problem+json"
    assert duplicate.access["ClientError"] == 1
    # Once the first has finished, a retry replays it.
    retry = invoke("POST", "/orders", body=new_order(), headers={"idempotency-key": k})
    assert retry.json["order_id"] == first.json["order_id"]
    assert order_count() == 1


def test_without_the_header_every_post_creates_an_order(empty_table: None) -> None:
    first, second = (invoke("POST", "/orders", body=new_order()) for _ in range(2))
    assert first.status == second.status == 201
    assert first.json["order_id"] != second.json["order_id"]
    assert "idempotent-replayed" not in second.headers
    assert order_count() == 2


def test_keys_are_scoped_to_the_api_client(empty_table: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(request_state, "TRUST_CLIENT_ID", True)  # the edge checks keys and sets the id
    k, body = key(), new_order()
    a = invoke("POST", "/orders", body=body, headers={"idempotency-key": k, "x-client-id": "aaaaaaaaaaaa"})
    b = invoke("POST", "/orders", body=body, headers={"idempotency-key": k, "x-client-id": "bbbbbbbbbbbb"})
    assert a.status == b.status == 201
    assert a.json["order_id"] != b.json["order_id"]


def test_without_keys_a_viewer_sent_client_id_picks_no_scope(empty_table: None) -> None:
    # Keys off: the header is the viewer's own, so it cannot split (or dodge) one key's stored response.
    k, body = key(), new_order()
    a = invoke("POST", "/orders", body=body, headers={"idempotency-key": k, "x-client-id": "aaaaaaaaaaaa"})
    b = invoke("POST", "/orders", body=body, headers={"idempotency-key": k, "x-client-id": "bbbbbbbbbbbb"})
    assert (a.status, b.status) == (201, 201)
    assert a.json["order_id"] == b.json["order_id"]
    assert b.headers.get("idempotent-replayed") == "true"


@pytest.mark.parametrize(
    "bad_key",
    ["x" * (idempotency.IDEMPOTENCY_KEY_MAX_LENGTH + 1), "has space", "tab\tkey", "ключ", ""],
)
def test_malformed_keys_are_a_422_and_create_nothing(bad_key: str, empty_table: None) -> None:
    call = invoke("POST", "/orders", body=new_order(), headers={"idempotency-key": bad_key})
    assert call.status == 422, call.response
    assert call.json["errors"][0]["loc"] == ["header", "idempotency-key"]
    assert order_count() == 0


def test_the_longest_key_is_accepted() -> None:
    call = invoke("POST", "/orders", body=new_order(), headers={"idempotency-key": "k" * 255})
    assert call.status == 201


def test_a_record_expires_by_ttl_after_24_hours() -> None:
    k = key()
    before = time.time()
    invoke("POST", "/orders", body=new_order(), headers={"idempotency-key": k})
    table = boto3.resource("dynamodb", endpoint_url=os.environ["DYNAMODB_ENDPOINT_URL"]).Table(
        idempotency_store.table_name()
    )
    records = [i for i in table.scan()["Items"] if i["status"] == "COMPLETED"]
    assert records, "the idempotency table holds the completed record"
    newest = max(records, key=lambda i: int(i[tables.IDEMPOTENCY_TABLE_TTL_ATTRIBUTE]))
    expires = int(newest[tables.IDEMPOTENCY_TABLE_TTL_ATTRIBUTE])  # epoch seconds, what DynamoDB TTL reads
    day = 24 * 3600  # the documented replay window (README, IETF Idempotency-Key draft), not the constant
    assert before + day - 5 <= expires <= time.time() + day + 5
    assert newest[tables.IDEMPOTENCY_TABLE_PARTITION_KEY].startswith("create_order#")


def test_idempotency_records_never_reach_the_orders_table(empty_table: None) -> None:
    invoke("POST", "/orders", body=new_order(), headers={"idempotency-key": key()})
    page = invoke("GET", "/orders?limit=100")
    assert page.status == 200
    assert len(page.json["orders"]) == 1
