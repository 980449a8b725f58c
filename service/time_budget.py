"""The DynamoDB time budget: one source for the budgeted client's botocore config
(service/dal/budgeted_client.py) and the CDK config's Lambda timeout check (settings/config.py).

One DynamoDB API call with the full client, worst case:
  attempts x (connect + read) + backoff before the retry
  = 2 x (0.5 s + 1.5 s) + 1 s = 5 s
(botocore's "standard" retry mode sleeps at most min(20 s, 2^(attempt-1)) x random(0..1) before
retry n: <= 1 s before the second attempt). A request may make several calls (an idempotent create
makes four; the summary pages through the table), so each request also has a deadline taken from
the Lambda context: the full client is used only while its whole worst case fits in the remaining
time minus DEADLINE_RESERVE_MS; after that each call gets one attempt with a read timeout cut to
what is left, and when nothing useful is left the request answers 503 `deadline` at once.
DEADLINE_RESERVE_MS is what answering and writing the access line may take after the last wait.
The Lambda timeout must hold at least one full call plus the reserve (settings/config.py checks
timeout_seconds >= MIN_LAMBDA_TIMEOUT_S; the default, 10 s, leaves 4.5 s spare).
"""

from __future__ import annotations

DYNAMODB_CONNECT_TIMEOUT_S = 0.5  # in-region TCP + TLS takes milliseconds; 0.5 s is a dead endpoint
DYNAMODB_READ_TIMEOUT_S = 1.5  # a 1 MB Scan page is well under this; a hung connection is not
DYNAMODB_RETRY_MODE = "standard"
DYNAMODB_MAX_ATTEMPTS = 2  # total attempts, first one included
DYNAMODB_MAX_RETRY_BACKOFF_S = 1.0  # standard mode, before the second attempt
DYNAMODB_CALL_WORST_CASE_S = (
    DYNAMODB_MAX_ATTEMPTS * (DYNAMODB_CONNECT_TIMEOUT_S + DYNAMODB_READ_TIMEOUT_S)
    + (DYNAMODB_MAX_ATTEMPTS - 1) * DYNAMODB_MAX_RETRY_BACKOFF_S
)
DEADLINE_RESERVE_MS = 500
MIN_LAMBDA_TIMEOUT_S = int(-(-(DYNAMODB_CALL_WORST_CASE_S * 1000 + DEADLINE_RESERVE_MS) // 1000))  # ceil: 6 s
