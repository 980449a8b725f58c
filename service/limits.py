"""The request body limit: the service answers 413 above it, and the WAF rule BodyTooLarge
(stacks/edge/waf.py) enforces the same number at the edge."""

from __future__ import annotations

MAX_BODY_BYTES = 8 * 1024  # matches the WAF Common rule set's SizeRestrictions_BODY (8 KB)
TOO_LARGE_DETAIL = f"Request body exceeds {MAX_BODY_BYTES} bytes"  # the 413's problem detail
