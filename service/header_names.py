"""HTTP header names the service reads or writes, and the ones it never logs."""

from __future__ import annotations

# Taken from the request when well formed and short (else the request id), echoed on the response.
CORRELATION_HEADER = "x-correlation-id"

# CloudFront sends its request id to the origin in this header; the access line logs it as
# contract.EDGE_REQUEST_ID_FIELD.
EDGE_REQUEST_ID_HEADER = "x-amz-cf-id"

# API keys (cloudfront_functions/api_key.js): an accepted call reaches the function with this header holding the key
# id (12 hex characters of sha256(key), not secret). Trusted only when the CDK app says the edge
# sets it (environment.ENV_API_KEYS=true); otherwise a viewer could have sent it. Logged as
# contract.CLIENT_ID_FIELD.
CLIENT_ID_HEADER = "x-client-id"

# Idempotent create (POST /orders): the client's key, and "true" on a replayed response.
IDEMPOTENCY_HEADER = "idempotency-key"
IDEMPOTENCY_REPLAYED_HEADER = "idempotent-replayed"

# Headers that carry credentials or signatures: the service never logs them, and the WAF logging
# configuration and data protection redact the same list (stacks/edge/waf.py reads it from here).
SECRET_HEADERS: tuple[str, ...] = (
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-amz-security-token",
    "x-api-key",
)
