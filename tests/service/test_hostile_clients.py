"""Whatever a client sends, it gets no 5xx: every route of the catalogue, with hostile media types,
charsets, bodies (invalid UTF-8, bad base64, multipart, forms) and headers (Accept, Cookie, Range,
Idempotency-Key, x-correlation-id). A 4xx is a problem+json with the request's correlation id, counted
as a client error (ClientError=1, Fault=0) and never logged with an error_kind.

tests/service/test_contract_fuzz.py varies what the contract describes (parameters, JSON bodies); this
varies what it does not. Bounded and derandomized, like that one.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local.events import function_url_event
from service.catalogue import ROUTES, RouteSpec
from service.request_body import is_json_media_type
from tests.support.handler import Call, invoke, new_order

EXAMPLES_PER_ROUTE = 60
pytestmark = pytest.mark.usefixtures("few_orders")  # tests/service/conftest.py
ORDER = json.dumps(new_order()).encode()
ORDER_ID = "0" * 32  # well formed; no such order

MEDIA_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    'Application/JSON; Charset="UTF-8"',
    "application/json; charset=latin-1",
    "application/json; boundary=x",
    "application/jsonx",
    "application/problem+json",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=xyz",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "text/plain",
    "text/plain; charset=utf-8",
    "application/octet-stream",
    "*/*",
    "",
    ";",
    "application/json, text/plain",
)
HOSTILE_HEADER_VALUES = ("", " ", ",", ";;", "=", "\t", "é", "\x7f", "a" * 2048, "bytes=9-1", "*/*;q=x", '"')
MULTIPART = b'--xyz\r\nContent-Disposition: form-data; name="customer_id"\r\n\r\n\xff\xfe\r\n--xyz--\r\n'
BODIES = st.one_of(
    st.just(ORDER),
    st.sampled_from((b"", b"{}", b"[]", b"null", b"a=1&b=2", MULTIPART, b"\xff\xfe\x00", b"[" * 4000, b"1" * 5000)),
    st.binary(max_size=64),
    st.text(max_size=64).map(lambda t: t.encode("utf-8")),
)
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=80)  # what HTTP carries
HEADERS = {
    "accept": ("application/json", "application/xml", "text/html;q=0.9, */*;q=0.1"),
    "cookie": ("session=abc", "a=1; a=2", "=; ;=x", 'k="unterminated'),
    "range": ("bytes=0-99", "bytes=99-0", "items=1-", "bytes=-"),
    "idempotency-key": ("k-1", "a" * 256, "key with spaces"),
    "x-correlation-id": ("ok-id", "a" * 65, "id\nforged: line", "<script>"),
    "accept-encoding": ("gzip", "br;q=1.1", "identity;q=0"),
    "content-length": ("-1", "x"),
}


def concrete(spec: RouteSpec) -> str:
    return spec.path.replace("{order_id}", ORDER_ID)


@st.composite
def hostile_request(draw: st.DrawFn, spec: RouteSpec) -> dict[str, Any]:
    headers = {"user-agent": "pytest"}
    headers["content-type"] = draw(st.sampled_from(MEDIA_TYPES) | HEADER_TEXT)
    for name, samples in HEADERS.items():
        if draw(st.booleans()):
            headers[name] = draw(st.sampled_from(samples + HOSTILE_HEADER_VALUES) | HEADER_TEXT)
    body = draw(BODIES) if spec.takes_body or draw(st.booleans()) else None
    event = function_url_event(spec.method, concrete(spec), headers, body)
    how = draw(st.sampled_from(("as built", "base64", "bad base64")))
    if how == "base64" and body:
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    elif how == "bad base64":
        event["body"], event["isBase64Encoded"] = draw(st.sampled_from(("!!", "a", "====", "e30"))), True
    return event


def assert_client_safe(call: Call) -> None:
    """No 5xx; a 4xx is a problem with the correlation id, counted as a client error, never a fault."""
    assert call.status < 500, (call.event, call.response)
    access = call.access  # exactly one access line
    assert access["Fault"] == 0
    assert "error_kind" not in access
    if call.status >= 400:
        assert call.headers["content-type"] == "application/problem+json", call.response
        problem = call.json
        assert problem["status"] == call.status
        assert problem["correlation_id"] == call.headers["x-correlation-id"] == access["correlation_id"]
        assert access["ClientError"] == 1


@pytest.mark.parametrize("spec", ROUTES, ids=[r.label for r in ROUTES])
def test_no_client_can_cause_a_5xx(spec: RouteSpec) -> None:
    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(event=hostile_request(spec))
    def fuzz(event: dict[str, Any]) -> None:
        assert_client_safe(invoke(spec.method, concrete(spec), raw_event=event))

    fuzz()


# Regression and rules, explicitly -----------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=xyz"]
)
@pytest.mark.parametrize("body", [ORDER, b"", MULTIPART])
def test_multipart_is_a_415_with_or_without_a_boundary(content_type: str, body: bytes) -> None:
    """Was a 500 (error_kind bug, Fault=1): Powertools' multipart parser raised a bare ValueError."""
    call = invoke("POST", "/orders", body=body, headers={"content-type": content_type})
    assert call.status == 415
    assert_client_safe(call)
    assert call.access["route"] == "POST /orders"


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "text/plain", "application/json; charset=latin-1", "application/jsonx"],
)
def test_a_json_body_under_another_media_type_is_a_415(content_type: str) -> None:
    call = invoke("POST", "/orders", body=ORDER, headers={"content-type": content_type})
    assert call.status == 415
    assert_client_safe(call)


def test_a_body_without_content_type_is_a_415() -> None:
    event = function_url_event("POST", "/orders", {"user-agent": "pytest"}, ORDER)
    assert "content-type" not in event["headers"]
    call = invoke("POST", "/orders", raw_event=event)
    assert call.status == 415
    assert_client_safe(call)


@pytest.mark.parametrize("content_type", ["application/json", 'Application/JSON; Charset="UTF-8"', "application/json;"])
def test_json_is_accepted_whatever_the_case_of_its_media_type(content_type: str) -> None:
    assert invoke("POST", "/orders", body=ORDER, headers={"content-type": content_type}).status == 201


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (base64.b64encode(b'{"customer_id": "\xff"}').decode(), "not valid UTF-8"),
        ("!!not base64", "not valid base64"),
        (base64.b64encode(b"1" * 5000).decode(), "a number too long"),
    ],
)
def test_a_json_body_that_cannot_be_read_is_a_400(body: str, detail: str) -> None:
    event = function_url_event("POST", "/orders", {"content-type": "application/json"}, ORDER)
    event |= {"body": body, "isBase64Encoded": True}
    call = invoke("POST", "/orders", raw_event=event)
    assert call.status == 400
    assert detail in call.json["detail"]
    assert_client_safe(call)


def test_an_oversized_body_is_a_413_whatever_its_media_type() -> None:
    call = invoke("POST", "/orders", body=b"x" * 9000, headers={"content-type": "multipart/form-data"})
    assert call.status == 413
    assert_client_safe(call)


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [
        ("application/json", True),
        ("APPLICATION/JSON ; charset = utf-8", True),
        ("application/json; charset=utf8", True),
        ("application/json; charset=iso-8859-1", False),
        ("application/json; charset=utf-8; q=1", False),
        ("application/json+x", False),
        ("application/problem+json", False),
        ("", False),
    ],
)
def test_which_media_types_are_json(content_type: str, accepted: bool) -> None:
    assert is_json_media_type(content_type) is accepted
