"""The local server's translation between HTTP and Function URL payload 2.0 events."""

from __future__ import annotations

import base64

from local.events import LocalLambdaContext, function_url_event, http_response


def test_event_has_the_function_url_shape() -> None:
    event = function_url_event(
        "post",
        "/orders/abc?limit=2&tag=a&tag=b&empty=",
        [("Content-Type", "application/json"), ("X-Multi", "1"), ("x-multi", "2"), ("Cookie", "a=1; b=2")],
        b'{"k": "v"}',
        source_ip="10.0.0.9",
    )
    assert event["version"] == "2.0"
    assert event["rawPath"] == "/orders/abc"
    assert event["rawQueryString"] == "limit=2&tag=a&tag=b&empty="
    assert event["queryStringParameters"] == {"limit": "2", "tag": "a,b", "empty": ""}
    assert event["headers"] == {"content-type": "application/json", "x-multi": "1,2"}  # lower-cased, joined
    assert event["cookies"] == ["a=1", "b=2"]  # moved out of the headers, as Lambda does
    http = event["requestContext"]["http"]
    assert (http["method"], http["path"], http["sourceIp"]) == ("POST", "/orders/abc", "10.0.0.9")
    assert event["requestContext"]["requestId"]
    assert (event["body"], event["isBase64Encoded"]) == ('{"k": "v"}', False)


def test_binary_and_undecodable_bodies_are_base64() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00"
    event = function_url_event("POST", "/x", {"content-type": "image/png"}, png)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == png
    bad_json = function_url_event("POST", "/x", {"content-type": "application/json"}, b"\xff\xfe")
    assert bad_json["isBase64Encoded"] is True


def test_no_body_no_query_no_cookies_keys() -> None:
    event = function_url_event("GET", "/health")
    assert "body" not in event
    assert "queryStringParameters" not in event
    assert "cookies" not in event


def test_response_mapping_keeps_status_headers_cookies_and_binary_bodies() -> None:
    status, headers, body = http_response(
        {
            "statusCode": 201,
            "headers": {"Location": "/orders/1"},
            "cookies": ["a=1; Secure", "b=2"],
            "body": base64.b64encode(b"\x00\x01").decode(),
            "isBase64Encoded": True,
        }
    )
    assert status == 201
    assert ("Location", "/orders/1") in headers
    assert [v for k, v in headers if k == "Set-Cookie"] == ["a=1; Secure", "b=2"]
    assert body == b"\x00\x01"


def test_context_counts_down() -> None:
    context = LocalLambdaContext()
    assert 0 < context.get_remaining_time_in_millis() <= 10_000
    assert context.invoked_function_arn.endswith(f":function:{context.function_name}")
