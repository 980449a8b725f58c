"""Typed, validated configuration for the CDK app, read from CDK context.

Defaults live in cdk.json ("context"); override any key with `-c key=value` (the Makefile passes
HOME_REGION= and ACCOUNT= that way). Values given on the command line arrive as strings, so every
key is parsed here and a bad value fails synth with a message naming the key, instead of surfacing
later as an opaque CloudFormation error.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from observability.model import EDGE_REGION
from observability.monitoring_config import DEFAULT_ACCOUNT_CONCURRENCY_LIMIT, MAX_RUNBOOK_URL, MonitoringConfig
from service.contract import SERVICE_NAME
from service.time_budget import DYNAMODB_CALL_WORST_CASE_S, MIN_LAMBDA_TIMEOUT_S
from service.tracing import MODES as TRACING_MODES
from service.tracing import OTEL
from stacks.countries import ISO_3166_ALPHA2
from stacks.tracing_layer import OTEL_PYTHON_LAYER_ARNS

# Used only when neither context nor the CDK CLI (CDK_DEFAULT_ACCOUNT) names an account: synth and
# tests need a concrete account because the stacks span two regions. Deploying with it fails fast.
PLACEHOLDER_ACCOUNT = "111111111111"

# CloudWatch Logs accepts only these retention periods (days), named as CDK's RetentionDays members
# (stacks/retention.py; this module stays CDK-free so the config loads without starting jsii).
RETENTION_DAYS: dict[int, str] = {
    1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH",
    60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS", 150: "FIVE_MONTHS", 180: "SIX_MONTHS",
    365: "ONE_YEAR", 400: "THIRTEEN_MONTHS", 545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS", 1096: "THREE_YEARS",
    1827: "FIVE_YEARS", 2192: "SIX_YEARS", 2557: "SEVEN_YEARS", 2922: "EIGHT_YEARS", 3288: "NINE_YEARS",
    3653: "TEN_YEARS",
}  # fmt: skip
# CloudFront price classes as cdk.json spells them -> CDK's PriceClass members (stacks/edge/distribution.py).
PRICE_CLASSES: dict[str, str] = {
    "PriceClass_100": "PRICE_CLASS_100",
    "PriceClass_200": "PRICE_CLASS_200",
    "PriceClass_All": "PRICE_CLASS_ALL",
}
# With snap_start, the Function URL (and CloudFront's invoke permissions) point at this alias.
SNAPSTART_ALIAS = "live"
# The API's viewer protocol policy, as cdk.json spells it (CloudFront's values). https-only refuses
# plain HTTP (403); redirect-to-https answers 301, and a client that follows a redirected POST may
# resend it as a GET without its body, so it is not the default for an API.
VIEWER_PROTOCOLS: tuple[str, ...] = ("https-only", "redirect-to-https")
# CloudFront's origin read timeout: 1-60 s without a quota increase.
MAX_ORIGIN_READ_TIMEOUT_SECONDS = 60

_REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
_ACCOUNT_RE = re.compile(r"^\d{12}$")
_PREFIX_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,39}$")
_SERVICE_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
# An https URL of a page: host, optional port and path/query, no fragment (descriptions add "#<anchor>").
_RUNBOOK_URL_RE = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d{1,5})?(/[^\s#]*)?$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# A CORS origin as browsers send it: scheme, host, optional port; no path, no trailing slash. Plain
# http only for a developer's own machine.
_ORIGIN_RE = re.compile(r"^(https://[a-z0-9.-]+|http://(localhost|127\.0\.0\.1))(:\d{1,5})?$")
_ACM_ARN_RE = re.compile(r"^arn:aws[a-z-]*:acm:(?P<region>[a-z0-9-]+):\d{12}:certificate/[0-9a-f-]{36}$")


class ConfigError(ValueError):
    """A context value is missing or invalid; the message names the key and what is accepted."""


@dataclass(frozen=True)
class InfraConfig:
    """Everything the stacks read from context, already validated."""

    prefix: str
    home_region: str
    account: str
    reserved_concurrency: int | None  # None: do not reserve (accounts that cannot)
    memory_mb: int
    timeout_seconds: int
    origin_read_timeout_seconds: int
    log_retention_days: int
    waf_rate_limit: int  # requests per IP per 5-minute window
    price_class: str
    alarm_email: str | None
    domain_name: str | None
    certificate_arn: str | None
    retain_table: bool
    # The `service` of logs and metric dimensions, and the prefix of alarm, dashboard, topic and
    # saved-query names: give each stage in one account and region its own (orders-api-staging).
    service_name: str = SERVICE_NAME
    runbook_url: str = "RUNBOOK.md"  # where alarm descriptions and the dashboard point on-call
    # Edge options (issue 10), all off by default.
    cors_allowed_origins: tuple[str, ...] = ()  # empty: no CORS; the function owns CORS (env var)
    geo_allow: tuple[str, ...] = ()  # only these countries (WAF geo match); exclusive with geo_deny
    geo_deny: tuple[str, ...] = ()  # every country but these
    api_keys: bool = False  # x-api-key checked by a CloudFront Function against a KeyValueStore
    api_key_rate_limit: int = 1000  # requests per API key per 5 minutes (WAF), with api_keys
    ticket_email: str | None = None  # subscribed to the ticket topics (alarm_email: the page topics)
    shield_advanced: bool = False  # Shield Advanced protection + DDoSDetected alarm (subscription needed)
    # With shield_advanced: the anti-DDoS rule group is always added; Shield's older automatic
    # application-layer response only on request (new customers need AWS Support to enable it).
    shield_automatic_response: bool = False
    # SnapStart: publish a version with a snapshot and serve the Function URL from an alias of it.
    snap_start: bool = False
    viewer_protocol: str = "https-only"  # one of VIEWER_PROTOCOLS
    # The region's Lambda concurrency quota: the account-concurrency alarm's 100 % (used only when
    # reserved_concurrency is 0, i.e. the function shares the account pool).
    account_concurrency_limit: int = DEFAULT_ACCOUNT_CONCURRENCY_LIMIT
    # Tracing backend (service/tracing.py): otel (the default: AWS's OpenTelemetry distro layer,
    # stacks/tracing_layer.py), xray (Powertools' Tracer; X-Ray SDK end of support 2027-02-25) or off.
    # application_signals: only with otel.
    tracing: str = OTEL
    application_signals: bool = False
    # With application_signals: enable Application Signals in the account and region (its discovery, once per
    # account: false when it is already enabled there). docs/tracing.md.
    application_signals_discovery: bool = True
    # An outside-in check (stacks/canary.py): a Synthetics canary calls the API through CloudFront every
    # 5 minutes and pages (api-unreachable) when it cannot. On unless turned off.
    canary: bool = True
    # Fire drills (issue 27, stacks/drills.py): the FIS extension on the function and one fault experiment
    # per drillable failure-mode row. Off: the templates are exactly as without it.
    drills: bool = False
    edge_region: str = field(default=EDGE_REGION, init=False)  # CloudFront/WAF (CLOUDFRONT scope) live here

    @property
    def function_alias(self) -> str | None:
        """The alias the Function URL invokes (SnapStart needs a published version), or None for the
        unqualified function. The service stack creates it; the monitoring reads it from here."""
        return SNAPSTART_ALIAS if self.snap_start else None

    @property
    def monitoring(self) -> MonitoringConfig:
        """What the alarms, dashboard and RUNBOOK.md take from this configuration."""
        return MonitoringConfig(
            service_name=self.service_name,
            runbook_url=self.runbook_url,
            shield_advanced=self.shield_advanced,
            function_alias=self.function_alias,
            account_concurrency_limit=self.account_concurrency_limit,
            canary=self.canary,
            certificate_arn=self.certificate_arn,
        )


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in ("", "null", "none"))


def _int(key: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool):
        raise ConfigError(f"context '{key}' must be an integer in [{lo}, {hi}], got {value!r}")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ConfigError(f"context '{key}' must be an integer in [{lo}, {hi}], got {value!r}") from None
    if not lo <= number <= hi:
        raise ConfigError(f"context '{key}' must be in [{lo}, {hi}], got {number}")
    return number


def _bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ConfigError(f"context '{key}' must be true or false, got {value!r}")


def _match(key: str, value: Any, pattern: re.Pattern[str], what: str) -> str:
    text = str(value).strip()
    if not pattern.match(text):
        raise ConfigError(f"context '{key}' must be {what}, got {value!r}")
    return text


def _list(key: str, value: Any) -> list[str]:
    """A list from cdk.json (JSON array) or the command line (comma-separated, or a JSON array)."""
    if _absent(value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise ConfigError(f"context '{key}' must be a list, got {value!r}") from None
        else:
            value = [part for part in text.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"context '{key}' must be a list of strings, got {value!r}")
    return [v.strip() for v in value]


def cors_origins(value: Any) -> tuple[str, ...]:
    """``cors_allowed_origins``, validated (also read by the local server, so `make run` agrees)."""
    origins = [o.lower() for o in _list("cors_allowed_origins", value)]
    for origin in origins:
        if not _ORIGIN_RE.match(origin):
            raise ConfigError(
                "context 'cors_allowed_origins' entries must be origins like https://app.example.com "
                f"(no path, no '*'; http only for localhost), got {origin!r}"
            )
    return tuple(dict.fromkeys(origins))


def _countries(key: str, value: Any) -> tuple[str, ...]:
    codes = [c.upper() for c in _list(key, value)]
    unknown = [c for c in codes if c not in ISO_3166_ALPHA2]
    if unknown:
        raise ConfigError(f"context '{key}' must hold ISO 3166-1 alpha-2 country codes, unknown: {unknown}")
    return tuple(dict.fromkeys(codes))


def _runbook_url(value: Any) -> str:
    """``runbook_url``: null -> the relative RUNBOOK.md; else an https URL short enough that every alarm
    description keeps it whole within CloudWatch's 1,024-character AlarmDescription."""
    if _absent(value):
        return "RUNBOOK.md"
    url = str(value).strip()
    if len(url) > MAX_RUNBOOK_URL:
        raise ConfigError(
            f"context 'runbook_url' must be at most {MAX_RUNBOOK_URL} characters (alarm descriptions link it, "
            f"and CloudWatch caps AlarmDescription at 1,024), got {len(url)}"
        )
    return _match(
        "runbook_url", url, _RUNBOOK_URL_RE, "an https:// URL of a page (host, optional path; no '#fragment')"
    )


def load_config(context: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> InfraConfig:
    """Build an InfraConfig from a context mapping (e.g. ``app.node.try_get_context`` values).

    ``environ`` defaults to os.environ and is only read for CDK_DEFAULT_ACCOUNT, which the CDK CLI
    sets from your credentials; tests pass an empty mapping to stay deterministic.
    """
    env = os.environ if environ is None else environ

    def get(key: str) -> Any:
        if key not in context:
            raise ConfigError(f"context '{key}' is missing: add it to cdk.json or pass -c {key}=...")
        return context[key]

    prefix = _match("prefix", get("prefix"), _PREFIX_RE, "a letter then up to 39 letters, digits or '-'")
    home_region = _match("home_region", get("home_region"), _REGION_RE, "an AWS region such as eu-west-1")

    raw_account = get("account")
    if _absent(raw_account):
        raw_account = env.get("CDK_DEFAULT_ACCOUNT") or PLACEHOLDER_ACCOUNT
    account = _match("account", raw_account, _ACCOUNT_RE, "a 12-digit AWS account id (or null)")

    raw_reserved = get("reserved_concurrency")
    reserved = 0 if _absent(raw_reserved) else _int("reserved_concurrency", raw_reserved, 0, 10_000)

    # At least one DynamoDB call's worst case plus the time to answer (service/time_budget.py has the
    # arithmetic): below that, the request deadline would cut even the first call's retries.
    timeout = _int("timeout_seconds", get("timeout_seconds"), 1, 900)
    if timeout < MIN_LAMBDA_TIMEOUT_S:
        raise ConfigError(
            f"context 'timeout_seconds' must be at least {MIN_LAMBDA_TIMEOUT_S}: one DynamoDB call may take "
            f"{DYNAMODB_CALL_WORST_CASE_S:g} s with its retry, plus the time to answer (service/time_budget.py)"
        )
    read_timeout = _int(
        "origin_read_timeout_seconds", get("origin_read_timeout_seconds"), 1, MAX_ORIGIN_READ_TIMEOUT_SECONDS
    )
    # CloudFront must wait longer than Lambda may run, or a slow request becomes a 504 at the edge while
    # the function keeps running (and billing) with nobody to answer.
    if timeout >= read_timeout:
        raise ConfigError(
            f"context 'timeout_seconds' ({timeout}) must be below 'origin_read_timeout_seconds' ({read_timeout})"
        )

    retention = _int("log_retention_days", get("log_retention_days"), 1, 3653)
    if retention not in RETENTION_DAYS:
        raise ConfigError(f"context 'log_retention_days' must be one of {tuple(RETENTION_DAYS)}, got {retention}")

    price_class = str(get("price_class")).strip()
    if price_class not in PRICE_CLASSES:
        raise ConfigError(f"context 'price_class' must be one of {tuple(PRICE_CLASSES)}, got {price_class!r}")

    raw_email = get("alarm_email")
    alarm_email = None if _absent(raw_email) else _match("alarm_email", raw_email, _EMAIL_RE, "an e-mail address")
    raw_ticket = context.get("ticket_email")
    ticket_email = None if _absent(raw_ticket) else _match("ticket_email", raw_ticket, _EMAIL_RE, "an e-mail address")

    raw_domain, raw_cert = get("domain_name"), get("certificate_arn")
    domain = None if _absent(raw_domain) else _match("domain_name", str(raw_domain).lower(), _DOMAIN_RE, "a DNS name")
    cert = None if _absent(raw_cert) else _match("certificate_arn", raw_cert, _ACM_ARN_RE, "an ACM certificate ARN")
    if (domain is None) != (cert is None):
        raise ConfigError("context 'domain_name' and 'certificate_arn' must be set together (or both null)")
    if cert is not None:
        cert_region = _ACM_ARN_RE.match(cert).group("region")  # type: ignore[union-attr]  # cert matched _ACM_ARN_RE in _match above
        if cert_region != EDGE_REGION:
            raise ConfigError(
                f"context 'certificate_arn' must be an ACM certificate in {EDGE_REGION}, got {cert_region}"
            )

    service_name = _match(
        "service_name",
        context.get("service_name", SERVICE_NAME),
        _SERVICE_RE,
        "lower-case letters, digits or '-' (up to 40), starting with a letter",
    )
    runbook_url = _runbook_url(context.get("runbook_url"))

    geo_allow = _countries("geo_allow", context.get("geo_allow"))
    geo_deny = _countries("geo_deny", context.get("geo_deny"))
    if geo_allow and geo_deny:
        raise ConfigError("context 'geo_allow' and 'geo_deny' are mutually exclusive: set one (or neither)")
    viewer_protocol = str(context.get("viewer_protocol", "https-only")).strip()
    if viewer_protocol not in VIEWER_PROTOCOLS:
        raise ConfigError(f"context 'viewer_protocol' must be one of {VIEWER_PROTOCOLS}, got {viewer_protocol!r}")
    raw_limit = context.get("account_concurrency_limit")
    account_limit = (
        DEFAULT_ACCOUNT_CONCURRENCY_LIMIT
        if _absent(raw_limit)
        else _int("account_concurrency_limit", raw_limit, 1, 10_000_000)
    )

    shield_advanced = _bool("shield_advanced", context.get("shield_advanced", False))
    shield_automatic = _bool("shield_automatic_response", context.get("shield_automatic_response", False))
    if shield_automatic and not shield_advanced:
        raise ConfigError("context 'shield_automatic_response' needs 'shield_advanced': true")
    tracing = str(context.get("tracing", OTEL)).strip().lower()
    if tracing not in TRACING_MODES:
        raise ConfigError(f"context 'tracing' must be one of {TRACING_MODES}, got {tracing!r}")
    if tracing == "otel" and home_region not in OTEL_PYTHON_LAYER_ARNS:
        raise ConfigError(
            f"context 'tracing' otel: no OpenTelemetry layer pinned for {home_region} (stacks/tracing_layer.py); "
            "pin one there, or deploy with -c tracing=xray"
        )
    application_signals = _bool("application_signals", context.get("application_signals", False))
    if application_signals and tracing != "otel":
        raise ConfigError("context 'application_signals' needs 'tracing' otel (it reads OpenTelemetry spans)")

    drills = _bool("drills", context.get("drills", False))
    if drills and tracing == "otel":
        # Lambda runs one AWS_LAMBDA_EXEC_WRAPPER: the FIS extension's bootstrap or the OpenTelemetry layer's.
        raise ConfigError(
            "context 'drills' needs the function's AWS_LAMBDA_EXEC_WRAPPER for the FIS extension "
            "(/opt/aws-fis/bootstrap), which 'tracing' otel already uses (/opt/otel-instrument): deploy the "
            "drill stage with tracing xray (or off), or set drills false"
        )

    return InfraConfig(
        prefix=prefix,
        home_region=home_region,
        account=account,
        reserved_concurrency=reserved or None,
        memory_mb=_int("memory_mb", get("memory_mb"), 128, 10_240),
        timeout_seconds=timeout,
        origin_read_timeout_seconds=read_timeout,
        log_retention_days=retention,
        waf_rate_limit=_int("waf_rate_limit", get("waf_rate_limit"), 10, 2_000_000_000),
        price_class=price_class,
        alarm_email=alarm_email,
        ticket_email=ticket_email,
        domain_name=domain,
        certificate_arn=cert,
        retain_table=_bool("retain_table", get("retain_table")),
        service_name=service_name,
        runbook_url=runbook_url,
        cors_allowed_origins=cors_origins(context.get("cors_allowed_origins")),
        geo_allow=geo_allow,
        geo_deny=geo_deny,
        api_keys=_bool("api_keys", context.get("api_keys", False)),
        api_key_rate_limit=_int("api_key_rate_limit", context.get("api_key_rate_limit", 1000), 10, 2_000_000_000),
        shield_advanced=shield_advanced,
        shield_automatic_response=shield_automatic,
        snap_start=_bool("snap_start", context.get("snap_start", False)),
        viewer_protocol=viewer_protocol,
        account_concurrency_limit=account_limit,
        tracing=tracing,
        application_signals=application_signals,
        application_signals_discovery=_bool(
            "application_signals_discovery", context.get("application_signals_discovery", True)
        ),
        canary=_bool("canary", context.get("canary", True)),
        drills=drills,
    )


CONTEXT_KEYS: tuple[str, ...] = (
    "prefix",
    "home_region",
    "account",
    "reserved_concurrency",
    "memory_mb",
    "timeout_seconds",
    "origin_read_timeout_seconds",
    "log_retention_days",
    "waf_rate_limit",
    "price_class",
    "alarm_email",
    "ticket_email",
    "domain_name",
    "certificate_arn",
    "retain_table",
    "service_name",
    "runbook_url",
    "cors_allowed_origins",
    "geo_allow",
    "geo_deny",
    "api_keys",
    "api_key_rate_limit",
    "shield_advanced",
    "shield_automatic_response",
    "snap_start",
    "viewer_protocol",
    "account_concurrency_limit",
    "tracing",
    "application_signals",
    "application_signals_discovery",
    "canary",
    "drills",
)


def context_of(node_get: Callable[[str], Any]) -> dict[str, Any]:
    """Collect every known key through ``node.try_get_context`` (absent keys stay absent)."""
    values = {key: node_get(key) for key in CONTEXT_KEYS}
    return {k: v for k, v in values.items() if v is not None or k in _NULLABLE}


# Keys whose documented default is null: present-but-None must not read as "missing".
_NULLABLE: frozenset[str] = frozenset(
    {
        "account",
        "reserved_concurrency",
        "alarm_email",
        "ticket_email",
        "domain_name",
        "certificate_arn",
        "runbook_url",
        "geo_allow",
        "geo_deny",
    }
)
