"""Names of the environment variables the CDK app sets for the function (besides Powertools' own)."""

from __future__ import annotations

# "true" when the edge checks API keys and sets header_names.CLIENT_ID_HEADER (cloudfront_functions/api_key.js).
ENV_API_KEYS = "API_KEYS_AT_EDGE"
# CORS is answered by the function alone (service/edge_headers.py); the CDK app passes
# cdk.json's cors_allowed_origins in this variable, comma-separated (empty: no CORS).
ENV_CORS_ALLOWED_ORIGINS = "CORS_ALLOWED_ORIGINS"
