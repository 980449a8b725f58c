"""The mutations of tests/scenarios/test_mutations.py that no scenario catches, each with why (REASONS:
the first pattern that matches). The list is asserted exactly: a new survivor, or one that a new scenario
now catches, fails the test until this file says so. These are the kit's, whose reasons many alarms share; a
unit may instead state its own alarms' survivors in its PROOF (observability/proof.py: the canary does), never
both."""

from __future__ import annotations

import re

from observability.proof import LONGER_COUNT, ONE_MORE_OF_M, ONE_MORE_OF_ONE

# Why a mutation survives: it cannot matter (no failure can tell the mutant apart in minutes to ALARM), and why.
# A mutation that would matter for some traffic shape is killed by a scenario of that shape instead (issue 23:
# the 6-h slow-share window's length and the heartbeat's floor by harness.THIN's cases and TELEMETRY_LOST).
REASONS: tuple[tuple[str, str], ...] = (
    (
        r"(service-(fast|slow|leak)-\w+|telemetry-heartbeat): missing data notBreaching -> breaching",
        "cannot matter: every input but the request count is FILLed with 0 and the IF has a false value (0), so "
        "the expression has a value in every period, even with no request at all (row l: nothing reaches the "
        "API for 50 minutes, and no period of these alarms is missing); the missing-data treatment is never "
        "consulted",
    ),
    (
        r"service-(fast-5min|slow-30min|leak-6h): IF floor 1 -> 0.1",
        "cannot matter: the failure count is a whole number, so >= 0.1 and >= 1 select the same windows (and a "
        "window without a failure burns 0 either way)",
    ),
    (
        r"lambda-init-slow: IF floor 3 -> 0.3",
        "cannot matter: the slow cold starts are among the cold starts, so below 3 cold starts at most 2 are "
        "slow, under the 2.5 threshold with or without the floor",
    ),
    (r"EvaluationPeriods 1 -> 2", ONE_MORE_OF_ONE),
    (r"EvaluationPeriods (2 -> 3|3 -> 4)", ONE_MORE_OF_M),
    (r"(dynamodb-throttles|lambda-errors|lambda-throttles|waf-blocked-spike): period 300 s -> 600 s", LONGER_COUNT),
    (
        r"lambda-(concurrency-utilisation|account-concurrency): period 60 s -> 120 s",
        "cannot matter for paging: the Maximum over 2 min reaches the reserved line in the same minute as "
        "over 1 min; only recovery is later",
    ),
    (
        r"route-\w+-(fault-rate-\w+: IF floor 2 -> 0.2|slow-share-\w+: IF floor 1.5 -> (0.15|15))$",
        "cannot matter: with the request floor R, one fault or slow request is at most 100/R % of the window, "
        "1/(R x budget) of the budget: orders_summary's fault rate 10x (R 10, 1 %) under the fast pair's "
        "14.4; get_order's slow share 10x over 5 min (R 10) and 0.5x over 1 h and 6 h (R 200); "
        "orders_summary's 1x (R 10) and 0.5x (R 20) under 5. And 14.4x of get_order's 1 % over 1 h among 200 "
        "requests or more is 29 slow or more, so 15 is never the binding floor "
        "(test_mutations.py test_the_floors_that_cannot_matter checks these from the alarms)",
    ),
)
SURVIVORS: tuple[str, ...] = (
    "cloudfront-4xx-rate: EvaluationPeriods 3 -> 4",
    "cloudfront-5xx-rate: EvaluationPeriods 3 -> 4",
    "dynamodb-system-errors: EvaluationPeriods 3 -> 4",
    "dynamodb-throttles: EvaluationPeriods 1 -> 2",
    "dynamodb-throttles: period 300 s -> 600 s",
    "function-url-5xx-unanswered: EvaluationPeriods 2 -> 3",
    "function-url-refused: EvaluationPeriods 2 -> 3",
    "lambda-concurrency-utilisation: EvaluationPeriods 3 -> 4",
    "lambda-concurrency-utilisation: period 60 s -> 120 s",
    "lambda-errors: EvaluationPeriods 1 -> 2",
    "lambda-errors: period 300 s -> 600 s",
    "lambda-init-slow: EvaluationPeriods 1 -> 2",
    "lambda-init-slow: IF floor 3 -> 0.3",
    "lambda-throttles: EvaluationPeriods 1 -> 2",
    "lambda-throttles: period 300 s -> 600 s",
    "route-get_order-fault-rate-1h: EvaluationPeriods 1 -> 2",
    "route-get_order-fault-rate-30min: EvaluationPeriods 1 -> 2",
    "route-get_order-fault-rate-5min: EvaluationPeriods 1 -> 2",
    "route-get_order-fault-rate-6h: EvaluationPeriods 1 -> 2",
    "route-get_order-slow-share-1h: EvaluationPeriods 1 -> 2",
    "route-get_order-slow-share-1h: IF floor 1.5 -> 0.15",
    "route-get_order-slow-share-1h: IF floor 1.5 -> 15",
    "route-get_order-slow-share-30min: EvaluationPeriods 1 -> 2",
    "route-get_order-slow-share-5min: EvaluationPeriods 1 -> 2",
    "route-get_order-slow-share-5min: IF floor 1.5 -> 0.15",
    "route-get_order-slow-share-6h: EvaluationPeriods 1 -> 2",
    "route-get_order-slow-share-6h: IF floor 1.5 -> 0.15",
    "route-orders_summary-fault-rate-1h: EvaluationPeriods 1 -> 2",
    "route-orders_summary-fault-rate-1h: IF floor 2 -> 0.2",
    "route-orders_summary-fault-rate-30min: EvaluationPeriods 1 -> 2",
    "route-orders_summary-fault-rate-5min: EvaluationPeriods 1 -> 2",
    "route-orders_summary-fault-rate-5min: IF floor 2 -> 0.2",
    "route-orders_summary-fault-rate-6h: EvaluationPeriods 1 -> 2",
    "route-orders_summary-slow-share-1h: EvaluationPeriods 1 -> 2",
    "route-orders_summary-slow-share-1h: IF floor 1.5 -> 0.15",
    "route-orders_summary-slow-share-30min: EvaluationPeriods 1 -> 2",
    "route-orders_summary-slow-share-30min: IF floor 1.5 -> 0.15",
    "route-orders_summary-slow-share-5min: EvaluationPeriods 1 -> 2",
    "route-orders_summary-slow-share-5min: IF floor 1.5 -> 0.15",
    "route-orders_summary-slow-share-6h: EvaluationPeriods 1 -> 2",
    "route-orders_summary-slow-share-6h: IF floor 1.5 -> 0.15",
    "service-fast-1h: EvaluationPeriods 1 -> 2",
    "service-fast-1h: missing data notBreaching -> breaching",
    "service-fast-5min: EvaluationPeriods 1 -> 2",
    "service-fast-5min: IF floor 1 -> 0.1",
    "service-fast-5min: missing data notBreaching -> breaching",
    "service-leak-6h: EvaluationPeriods 1 -> 2",
    "service-leak-6h: IF floor 1 -> 0.1",
    "service-leak-6h: missing data notBreaching -> breaching",
    "service-leak-72h: EvaluationPeriods 1 -> 2",
    "service-leak-72h: missing data notBreaching -> breaching",
    "service-slow-30min: EvaluationPeriods 1 -> 2",
    "service-slow-30min: IF floor 1 -> 0.1",
    "service-slow-30min: missing data notBreaching -> breaching",
    "service-slow-6h: EvaluationPeriods 1 -> 2",
    "service-slow-6h: missing data notBreaching -> breaching",
    "telemetry-heartbeat: EvaluationPeriods 2 -> 3",
    "telemetry-heartbeat: missing data notBreaching -> breaching",
    "waf-blocked-spike: EvaluationPeriods 1 -> 2",
    "waf-blocked-spike: period 300 s -> 600 s",
)

# The configuration without reserved concurrency (eu-west-1): its account-concurrency and throttles alarms.
UNRESERVED_SURVIVORS: tuple[str, ...] = (
    "lambda-account-concurrency: EvaluationPeriods 3 -> 4",
    "lambda-account-concurrency: period 60 s -> 120 s",
    "lambda-throttles: EvaluationPeriods 1 -> 2",
    "lambda-throttles: period 300 s -> 600 s",
)


def reason(survivor: str) -> str | None:
    return next((why for pattern, why in REASONS if re.search(pattern, survivor)), None)
