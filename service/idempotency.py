"""Idempotent create (POST /orders with an Idempotency-Key header, header_names.IDEMPOTENCY_HEADER):
what a key may be and how long it is remembered. Its table is described in service/dal/tables.py."""

from __future__ import annotations

# The key: 1-255 printable ASCII characters without spaces (a UUID is the usual choice).
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]{1,255}$"
IDEMPOTENCY_KEY_MAX_LENGTH = 255
# How long a key is remembered: a retry within 24 h replays; after that DynamoDB's TTL deletes it.
IDEMPOTENCY_TTL_S = 24 * 3600
