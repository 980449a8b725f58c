"""scripts/api_keys.py: key format, hashing identical to the edge function's, value encoding, listing,
and the KeyValueStore calls (botocore Stubber: no AWS account, no network)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber
from botocore.validate import validate_parameters

from scripts import api_keys
from tests.support.paths import ROOT, node_binary

ARN = "arn:aws:cloudfront::123456789012:key-value-store/327284aa-bcd5-499f-a3ff-26b9a9d31b58"


def run_edge_function(store: dict[str, str], headers: dict[str, str], uri: str = "/orders") -> dict[str, Any]:
    """The real cloudfront_functions/api_key.js, run by Node on one viewer request against the given store."""
    node = node_binary()
    if node is None:
        pytest.skip("node is not installed: needed to run the edge function (present on CI machines)")
    event = {
        "version": "1.0",
        "context": {"eventType": "viewer-request", "requestId": "req-py"},
        "viewer": {"ip": "198.51.100.7"},
        "request": {
            "method": "GET",
            "uri": uri,
            "querystring": {},
            "cookies": {},
            "headers": {name: {"value": value} for name, value in headers.items()},
        },
    }
    run = subprocess.run(
        [node, "tests/cloudfront_functions/run_function.mjs"],
        cwd=ROOT,
        input=json.dumps({"store": store, "event": event}),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(run.stdout)


# --- pure parts -------------------------------------------------------------------------------


def test_generated_keys_have_the_edge_format_and_are_unique() -> None:
    keys = {api_keys.generate_key() for _ in range(200)}
    assert len(keys) == 200
    for key in keys:
        assert key.startswith("ak_")
        assert len(key) == 46
        assert api_keys.KEY_PATTERN.fullmatch(key)


def test_the_edge_function_accepts_a_key_added_by_the_script_and_reports_the_same_key_id() -> None:
    """Python hashes and encodes; Node runs the deployed function on the same key: they must agree."""
    key = api_keys.generate_key()
    store_key = api_keys.kvs_key(key)
    value = api_keys.encode_value({"client": "acme", "status": api_keys.ACTIVE, "created": "2026-01-01T00:00:00Z"})
    result = run_edge_function({store_key: value}, {"x-api-key": key, "x-client-id": "spoofed"})
    assert "statusCode" not in result, result
    assert result["headers"]["x-client-id"]["value"] == api_keys.key_id(store_key)
    assert "x-api-key" not in result["headers"]


def test_hash_is_sha256_hex_of_the_utf8_key() -> None:
    # Known vector: sha256("abc").
    assert api_keys.kvs_key("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert api_keys.key_id(api_keys.kvs_key("abc")) == "ba7816bf8f01"


def test_value_encoding_is_compact_ordered_and_bounded() -> None:
    assert api_keys.encode_value({"status": "active", "client": "acme"}) == '{"client":"acme","status":"active"}'
    with pytest.raises(api_keys.ApiKeyError, match="1024"):
        api_keys.encode_value({"client": "x" * 1100})
    assert api_keys.decode_value("not json") == {"status": "invalid"}
    assert api_keys.decode_value("[1]") == {"status": "invalid"}


@pytest.mark.parametrize("name", ["", "-acme", "acme corp", "a" * 65, "acmé", "a/b"])
def test_bad_client_names_are_refused(name: str) -> None:
    with pytest.raises(api_keys.ApiKeyError):
        api_keys.validate_client(name)


def test_listing_shows_ids_clients_and_status_but_never_a_key_or_hash() -> None:
    key = api_keys.generate_key()
    store_key = api_keys.kvs_key(key)
    entries = [
        api_keys.KeyEntry(store_key, {"client": "zeta", "status": "revoked", "created": "c1", "revoked": "r1"}),
        api_keys.KeyEntry("0" * 64, {"client": "acme", "status": "active", "created": "c2"}),
    ]
    text = api_keys.format_listing(entries)
    lines = text.splitlines()
    assert lines[0].split() == ["KEY_ID", "CLIENT", "STATUS", "CREATED", "REVOKED"]
    assert lines[1].split() == ["000000000000", "acme", "active", "c2", "-"]
    assert lines[2].split() == [store_key[:12], "zeta", "revoked", "c1", "r1"]
    assert key not in text
    assert store_key not in text


def test_find_entry_by_key_id() -> None:
    entries = [api_keys.KeyEntry("ab" * 32, {}), api_keys.KeyEntry("abababab" + "0" * 56, {})]
    assert api_keys.find_entry(entries, "ABABABABAB").store_key == "ab" * 32
    with pytest.raises(api_keys.ApiKeyError, match="ambiguous"):
        api_keys.find_entry(entries, "abababab")
    with pytest.raises(api_keys.ApiKeyError, match="no key"):
        api_keys.find_entry(entries, "ffffffff")
    with pytest.raises(api_keys.ApiKeyError, match="not a key id"):
        api_keys.find_entry(entries, "ab")


# --- KeyValueStore calls --------------------------------------------------------------------
# botocore will not even resolve the KeyValueStore endpoint without the AWS CRT (its rules demand
# SigV4A; the real script needs `botocore[crt]`), so Stubber cannot stand in here. This fake checks
# every call's parameters against the real service model instead and plays the store's ETag.


class FakeKvs:
    def __init__(self, items: list[dict[str, str]] | None = None, page_size: int = 1) -> None:
        self.items = {item["Key"]: item["Value"] for item in items or []}
        self.etag = "ETAG0"
        self.page_size = page_size
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._model = botocore.session.get_session().get_service_model("cloudfront-keyvaluestore")

    def _record(self, operation: str, params: dict[str, Any]) -> None:
        validate_parameters(params, self._model.operation_model(operation).input_shape)
        assert params["KvsARN"] == ARN
        if "IfMatch" in params:
            assert params["IfMatch"] == self.etag, "a write must carry the current ETag"
        self.calls.append((operation, params))

    def _bump(self) -> dict[str, Any]:
        self.etag = f"ETAG{int(self.etag[4:]) + 1}"
        return {"ETag": self.etag, "ItemCount": len(self.items), "TotalSizeInBytes": 0}

    def describe_key_value_store(self, **params: Any) -> dict[str, Any]:
        self._record("DescribeKeyValueStore", params)
        return {"ETag": self.etag, "KvsARN": ARN}

    def put_key(self, **params: Any) -> dict[str, Any]:
        self._record("PutKey", params)
        self.items[params["Key"]] = params["Value"]
        return self._bump()

    def delete_key(self, **params: Any) -> dict[str, Any]:
        self._record("DeleteKey", params)
        del self.items[params["Key"]]
        return self._bump()

    def list_keys(self, **params: Any) -> dict[str, Any]:
        self._record("ListKeys", params)
        keys = sorted(self.items)
        start = int(params.get("NextToken", "0"))
        page = {"Items": [{"Key": k, "Value": self.items[k]} for k in keys[start : start + self.page_size]]}
        if start + self.page_size < len(keys):
            page["NextToken"] = str(start + self.page_size)
        return page

    def get_paginator(self, name: str) -> Any:
        assert name == "list_keys"
        fake = self

        class Paginator:
            def paginate(self, **params: Any) -> Any:
                token = None
                while True:
                    page = fake.list_keys(**params, **({"NextToken": token} if token else {}))
                    yield page
                    token = page.get("NextToken")
                    if not token:
                        return

        return Paginator()


def test_add_stores_only_the_hash_with_the_current_etag() -> None:
    fake = FakeKvs()
    key, kid = api_keys.add(api_keys.KeyStore(fake, ARN), "acme")
    assert [op for op, _ in fake.calls] == ["DescribeKeyValueStore", "PutKey"]
    ((store_key, value),) = fake.items.items()
    assert store_key == api_keys.kvs_key(key)
    assert kid == store_key[:12]
    entry = json.loads(value)
    assert (entry["client"], entry["status"]) == ("acme", "active")
    assert key not in json.dumps(fake.calls)


def test_a_given_key_such_as_the_canarys_is_stored_by_its_hash_and_a_malformed_one_refused() -> None:
    fake = FakeKvs()
    given = "A" * 40 + "b" * 24  # 64 of A-Z a-z 0-9: what the canary's secret generates (stacks/canary.py)
    key, kid = api_keys.add(api_keys.KeyStore(fake, ARN), "canary", given)
    assert key == given
    assert list(fake.items) == [api_keys.kvs_key(given)]
    assert kid == api_keys.kvs_key(given)[:12]
    with pytest.raises(api_keys.ApiKeyError):
        api_keys.add(api_keys.KeyStore(FakeKvs(), ARN), "canary", "short")


def test_list_pages_through_the_store() -> None:
    fake = FakeKvs([{"Key": "a" * 64, "Value": '{"client":"acme","status":"active"}'}, {"Key": "b" * 64, "Value": "x"}])
    entries = list(api_keys.KeyStore(fake, ARN).entries())
    assert [(e.key_id, e.entry["status"]) for e in entries] == [("a" * 12, "active"), ("b" * 12, "invalid")]
    assert [op for op, _ in fake.calls] == ["ListKeys", "ListKeys"]


def test_revoke_marks_the_entry_revoked_and_keeps_the_client() -> None:
    store_key = "c" * 64
    fake = FakeKvs([{"Key": store_key, "Value": '{"client":"acme","status":"active","created":"c"}'}])
    found = api_keys.revoke(api_keys.KeyStore(fake, ARN), "cccccccccccc")
    assert found.entry["client"] == "acme"
    entry = json.loads(fake.items[store_key])
    assert (entry["client"], entry["status"], entry["created"]) == ("acme", "revoked", "c")
    assert "revoked" in entry
    assert [op for op, _ in fake.calls] == ["ListKeys", "DescribeKeyValueStore", "PutKey"]


def test_revoke_purge_deletes_the_entry() -> None:
    fake = FakeKvs([{"Key": "d" * 64, "Value": "{}"}, {"Key": "e" * 64, "Value": "{}"}])
    api_keys.revoke(api_keys.KeyStore(fake, ARN), "dddddddd", purge=True)
    assert list(fake.items) == ["e" * 64]


def test_a_revoked_key_is_refused_by_the_edge_function() -> None:
    """End to end over the fake store: add, accepted; revoke, refused with 403."""
    fake = FakeKvs()
    store = api_keys.KeyStore(fake, ARN)
    key, kid = api_keys.add(store, "acme")
    accepted = run_edge_function(fake.items, {"x-api-key": key})
    assert accepted["headers"]["x-client-id"]["value"] == kid
    api_keys.revoke(store, kid)
    refused = run_edge_function(fake.items, {"x-api-key": key})
    assert refused["statusCode"] == 403


def test_arn_from_the_stack_output() -> None:
    # Dummy credentials: Stubber answers before anything is signed or sent.
    cfn = boto3.client("cloudformation", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")  # noqa: S106
    with Stubber(cfn) as stubber:
        stack = {"StackName": "OrdersEdge", "CreationTime": "2026-01-01T00:00:00Z", "StackStatus": "CREATE_COMPLETE"}
        outputs = [
            {"OutputKey": "Other", "OutputValue": "x"},
            {"OutputKey": api_keys.KVS_ARN_OUTPUT, "OutputValue": ARN},
        ]
        stubber.add_response(
            "describe_stacks", {"Stacks": [{**stack, "Outputs": outputs}]}, {"StackName": "OrdersEdge"}
        )
        stubber.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": "OrdersEdge"})
        assert api_keys.stack_output(cfn, "OrdersEdge") == ARN
        with pytest.raises(api_keys.ApiKeyError, match=api_keys.KVS_ARN_OUTPUT):
            api_keys.stack_output(cfn, "OrdersEdge")


def test_without_the_crt_the_cli_says_what_to_install(capsys: pytest.CaptureFixture[str]) -> None:
    """Without awscrt botocore cannot sign for the KeyValueStore API: the CLI names the fix (no traceback)."""
    try:
        import awscrt  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("awscrt is installed: the missing-dependency path cannot happen here")
    assert api_keys.main(["--kvs-arn", ARN, "list"]) == 2
    assert "botocore[crt]" in capsys.readouterr().err


def test_cli_requires_a_store_and_a_command() -> None:
    with pytest.raises(SystemExit):
        api_keys.parse_args(["list"])
    args = api_keys.parse_args(["--stack", "OrdersEdge", "revoke", "abcdef012345", "--purge"])
    assert (args.stack, args.command, args.key_id, args.purge) == ("OrdersEdge", "revoke", "abcdef012345", True)
