"""CloudFront standard logging (v2) to CloudWatch Logs: the one place that names its fields.

The edge stack delivers :data:`RECORD_FIELDS` (in this order, as JSON, one object per request) to a
log group in us-east-1; the saved queries under ``queries/cloudfront/`` read them, and a test proves they
read nothing else. In a JSON delivery each field keeps CloudFront's own spelling (``sc-status``), so
a Logs Insights query must put names with a hyphen or parentheses in backticks.

CloudFront writes ``-`` for a field with no value: ``origin-fbl``/``origin-lbl`` are ``-`` (or
absent) when CloudFront never got a byte back from the origin.
"""

from __future__ import annotations

# Every field name standard logging (v2) accepts, as the CloudFront Developer Guide lists them
# ("Configure standard logging (v2)" and "Standard logging reference"): the 33 standard-log fields,
# then the real-time-log fields v2 also offers. A delivery naming anything else fails to create.
DOCUMENTED_FIELDS: tuple[str, ...] = (
    "date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)", "cs-uri-stem",
    "sc-status", "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)", "x-edge-result-type",
    "x-edge-request-id", "x-host-header", "cs-protocol", "cs-bytes", "time-taken", "x-forwarded-for",
    "ssl-protocol", "ssl-cipher", "x-edge-response-result-type", "cs-protocol-version", "fle-status",
    "fle-encrypted-fields", "c-port", "time-to-first-byte", "x-edge-detailed-result-type",
    "sc-content-type", "sc-content-len", "sc-range-start", "sc-range-end",
    # Real-time-log fields available to v2.
    "timestamp", "timestamp(ms)", "origin-fbl", "origin-lbl", "asn", "c-country",
    "cache-behavior-path-pattern",
)  # fmt: skip

# What we deliver: what an operator needs to tell an edge failure from an origin one, and to follow
# one request to the function's access line (x-edge-request-id is what CloudFront sends the origin
# as x-amz-cf-id, logged there as edge_request_id). Not delivered: cs-uri-query and cs(Cookie)
# (may carry credentials), cs(User-Agent)/cs(Referer) (bulk without an alarm or query reading them).
RECORD_FIELDS: tuple[str, ...] = (
    "timestamp",  # request time, epoch seconds
    "x-edge-request-id",  # CloudFront's request id == the origin's x-amz-cf-id header
    "cs-method",
    "cs-uri-stem",  # the path, without the query string
    "sc-status",  # status the viewer got ("000" when the viewer went away first)
    "x-edge-result-type",  # Hit / Miss / Error / ... as CloudFront classifies the response
    "x-edge-response-result-type",  # the same after Lambda@Edge / CloudFront Functions
    "x-edge-detailed-result-type",  # for Error: the kind (OriginConnectError, OriginReadTimeout, ...)
    "time-taken",  # seconds from request to last byte, at the edge
    "time-to-first-byte",  # seconds to the first byte, at the edge
    "origin-fbl",  # origin first-byte latency, seconds ("-" when the origin never answered)
    "origin-lbl",  # origin last-byte latency, seconds
    "c-ip",  # viewer IP (also in the WAF log)
    "x-edge-location",  # edge location code (IAD89-...)
    "cs-protocol-version",  # HTTP/1.1, HTTP/2.0, HTTP/3.0
    # The cache behaviour CloudFront picked ("*" = the default, uncached one): per cached route's path
    # pattern, by CloudFront's own precedence, one value per behaviour whatever the path parameters.
    "cache-behavior-path-pattern",
)

# What cache-behavior-path-pattern reads for the default behaviour: every request no cached route serves.
DEFAULT_BEHAVIOUR_PATTERN = "*"

# JSON output keeps field names as above; CloudWatch Logs accepts json, plain, w3c or raw here.
OUTPUT_FORMAT = "json"
LOG_TYPE = "ACCESS_LOGS"
