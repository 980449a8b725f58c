#!/usr/bin/env python3
"""Add, list and revoke the API keys that the edge function (cloudfront_functions/api_key.js) checks.

    python scripts/api_keys.py --stack OrdersEdge add acme        # prints the new key ONCE on stdout
    python scripts/api_keys.py --stack OrdersEdge add canary --from-secret <CanaryApiKeySecret ARN>
    python scripts/api_keys.py --stack OrdersEdge list            # key ids, clients, status; never keys
    python scripts/api_keys.py --stack OrdersEdge revoke 3f9a0c1d2b4e [--purge]
    python scripts/api_keys.py --kvs-arn arn:aws:cloudfront::123456789012:key-value-store/... list

Keys live in a CloudFront KeyValueStore as sha256(key) in lowercase hex -> a small JSON value
({"client": ..., "status": "active" | "revoked", "created": ..., "revoked": ...}); the raw key is
never stored, so whoever reads the store cannot call the API. A key id (the first 12 hex
characters of the hash) names a key in listings, in the `x-client-id` header the origin receives
and in its access line (`client_id`). Revoking keeps the entry with status "revoked" (the edge
answers 403 "API key revoked", and the id stays resolvable to a client in old logs); --purge
deletes it (then 403 "Unknown API key"). Changes reach the edge locations within seconds, not
instantly.

Needs AWS credentials allowed cloudfront-keyvaluestore:DescribeKeyValueStore, ListKeys, PutKey and
DeleteKey (and cloudformation:DescribeStacks with --stack). The KeyValueStore API is signed with
SigV4A, which botocore only does with the AWS CRT installed (`pip install "botocore[crt]"`); with
temporary credentials, get them from a Regional STS endpoint (the global one issues session tokens
SigV4A rejects). Every write carries the store's ETag (IfMatch), so two concurrent edits cannot
silently overwrite each other: rerun the command if it reports a conflict.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import secrets
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# The CloudFormation output that holds the KeyValueStore ARN (the CDK stack exports it under this name).
KVS_ARN_OUTPUT = "ApiKeysKvsArn"
# CloudFront resources (and so the stack that owns the KeyValueStore) live in us-east-1.
DEFAULT_STACK_REGION = "us-east-1"
# Same format the edge function accepts: 32-128 characters of [A-Za-z0-9_-].
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
KEY_PREFIX = "ak_"  # makes a leaked key recognisable (secret scanners, logs, chat)
KEY_ENTROPY_BYTES = 32  # 256 random bits: a plain sha256 needs no salt or slow KDF
KEY_ID_LENGTH = 12
CLIENT_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_VALUE_BYTES = 1024  # KeyValueStore limit on a value
ACTIVE, REVOKED = "active", "revoked"


class ApiKeyError(Exception):
    """A user-facing error: printed without a traceback."""


def generate_key() -> str:
    """A new API key: prefix + 43 URL-safe base64 characters of `secrets` randomness."""
    key = KEY_PREFIX + secrets.token_urlsafe(KEY_ENTROPY_BYTES)
    assert KEY_PATTERN.fullmatch(key)  # noqa: S101 - an invariant of the two constants above
    return key


def kvs_key(api_key: str) -> str:
    """The KeyValueStore key of an API key: sha256 of its UTF-8 bytes, lowercase hex (as the edge computes it)."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def key_id(store_key: str) -> str:
    """The non-secret id of a key, from its store key: what x-client-id and client_id carry."""
    return store_key[:KEY_ID_LENGTH]


def validate_client(client: str) -> str:
    if not CLIENT_PATTERN.fullmatch(client):
        raise ApiKeyError(f"client name {client!r}: use 1-64 characters of A-Z a-z 0-9 . _ - (starting alphanumeric)")
    return client


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode_value(entry: dict[str, str]) -> str:
    """The stored JSON value: compact and ordered, within the store's 1 KB value limit."""
    value = json.dumps(entry, separators=(",", ":"), sort_keys=True)
    if len(value.encode()) > MAX_VALUE_BYTES:
        raise ApiKeyError(f"value of {len(value.encode())} bytes exceeds the KeyValueStore limit of {MAX_VALUE_BYTES}")
    return value


def decode_value(value: str) -> dict[str, Any]:
    """A stored value as a dict; an unreadable one shows as status "invalid" (the edge refuses it)."""
    try:
        entry = json.loads(value)
    except ValueError:
        return {"status": "invalid"}
    return entry if isinstance(entry, dict) else {"status": "invalid"}


@dataclass(frozen=True)
class KeyEntry:
    store_key: str
    entry: dict[str, Any]

    @property
    def key_id(self) -> str:
        return key_id(self.store_key)


def format_listing(entries: Iterable[KeyEntry]) -> str:
    """A table of key ids, clients, status and dates; it has no column a key could leak through."""
    rows: list[tuple[str, ...]] = [("KEY_ID", "CLIENT", "STATUS", "CREATED", "REVOKED")]
    for item in sorted(entries, key=lambda e: (str(e.entry.get("client", "")), e.key_id)):
        e = item.entry
        rows.append((item.key_id, *(str(e.get(f, "-")) for f in ("client", "status", "created", "revoked"))))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def find_entry(entries: Iterable[KeyEntry], wanted: str) -> KeyEntry:
    """The one entry whose store key starts with `wanted` (a key id, at least 8 hex characters)."""
    wanted = wanted.lower()
    if not re.fullmatch(r"[0-9a-f]{8,64}", wanted):
        raise ApiKeyError(f"{wanted!r} is not a key id (hex, as shown by `list`)")
    matches = [e for e in entries if e.store_key.startswith(wanted)]
    if not matches:
        raise ApiKeyError(f"no key with id {wanted}")
    if len(matches) > 1:
        raise ApiKeyError(f"key id {wanted} is ambiguous: give more hex characters of it")
    return matches[0]


class KeyStore:
    """The few KeyValueStore calls the commands need, each write guarded by the store's ETag."""

    def __init__(self, client: Any, arn: str) -> None:
        self._client = client
        self.arn = arn

    def etag(self) -> str:
        return self._client.describe_key_value_store(KvsARN=self.arn)["ETag"]

    def entries(self) -> Iterator[KeyEntry]:
        for page in self._client.get_paginator("list_keys").paginate(KvsARN=self.arn):
            for item in page.get("Items", []):
                yield KeyEntry(item["Key"], decode_value(item["Value"]))

    def put(self, store_key: str, entry: dict[str, str]) -> None:
        self._client.put_key(KvsARN=self.arn, Key=store_key, Value=encode_value(entry), IfMatch=self.etag())

    def delete(self, store_key: str) -> None:
        self._client.delete_key(KvsARN=self.arn, Key=store_key, IfMatch=self.etag())


def add(store: KeyStore, client: str, api_key: str | None = None) -> tuple[str, str]:
    """Store a key for `client`; returns (key, key id). A new key exists nowhere else afterwards; a given
    one (the canary's, from its secret) must have the edge's format."""
    if api_key is None:
        api_key = generate_key()
    elif not KEY_PATTERN.fullmatch(api_key):
        raise ApiKeyError("the given key is not 32-128 characters of A-Z a-z 0-9 _ - (the edge would refuse it)")
    store_key = kvs_key(api_key)
    store.put(store_key, {"client": validate_client(client), "status": ACTIVE, "created": now()})
    return api_key, key_id(store_key)


def revoke(store: KeyStore, wanted: str, *, purge: bool = False) -> KeyEntry:
    found = find_entry(store.entries(), wanted)
    if purge:
        store.delete(found.store_key)
    else:
        store.put(found.store_key, {**found.entry, "status": REVOKED, "revoked": now()})
    return found


def stack_output(cloudformation: Any, stack: str, output: str = KVS_ARN_OUTPUT) -> str:
    outputs = cloudformation.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    for item in outputs:
        if item["OutputKey"] == output:
            return item["OutputValue"]
    raise ApiKeyError(f"stack {stack} has no output {output}: is api_keys enabled in its configuration?")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--kvs-arn", help="the KeyValueStore ARN")
    where.add_argument("--stack", help=f"a CloudFormation stack whose output {KVS_ARN_OUTPUT} is the ARN")
    parser.add_argument("--region", default=DEFAULT_STACK_REGION, help="region of --stack (default %(default)s)")
    commands = parser.add_subparsers(dest="command", required=True)
    adding = commands.add_parser("add", help="create a key for a client and print it once")
    adding.add_argument("client", help="client name, e.g. acme")
    adding.add_argument(
        "--from-secret",
        metavar="SECRET_ID",
        help="register the key held in this Secrets Manager secret (in --region; e.g. the canary's "
        "CanaryApiKeySecret output) instead of generating one; the key is not printed",
    )
    commands.add_parser("list", help="list key ids, clients and status (never the keys)")
    revoking = commands.add_parser("revoke", help="revoke a key by its key id")
    revoking.add_argument("key_id", help="key id as shown by list (or a longer hex prefix)")
    revoking.add_argument("--purge", action="store_true", help="delete the entry instead of marking it revoked")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import boto3  # imported here so `--help` and the pure helpers work without it
    from botocore.exceptions import BotoCoreError, ClientError, MissingDependencyException

    try:
        arn = args.kvs_arn or stack_output(boto3.client("cloudformation", region_name=args.region), args.stack)
        # The KeyValueStore API is global (SigV4A); the client still needs some region to start.
        store = KeyStore(boto3.client("cloudfront-keyvaluestore", region_name=DEFAULT_STACK_REGION), arn)
        if args.command == "add" and args.from_secret:
            secrets = boto3.client("secretsmanager", region_name=args.region)
            given = secrets.get_secret_value(SecretId=args.from_secret)["SecretString"]
            _, kid = add(store, args.client, given)
            print(f"added key id {kid} for client {args.client} (the key stays in {args.from_secret})")
        elif args.command == "add":
            api_key, kid = add(store, args.client)
            print(f"added key id {kid} for client {args.client}; the key below is shown only once", file=sys.stderr)
            print(api_key)
        elif args.command == "list":
            print(format_listing(store.entries()))
        else:
            found = revoke(store, args.key_id, purge=args.purge)
            print(f"{'deleted' if args.purge else 'revoked'} key id {found.key_id} ({found.entry.get('client', '?')})")
    except MissingDependencyException:
        print('The KeyValueStore API needs SigV4A signing: pip install "botocore[crt]"', file=sys.stderr)
        return 2
    except (ApiKeyError, ClientError, BotoCoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
