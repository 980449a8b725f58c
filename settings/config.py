"""Typed, validated configuration of a deployment, read from CDK context without importing CDK.

Each key is declared once, as a field of :class:`InfraConfig` with its default (as cdk.json or ``-c``
spells it) and how a value is read; set one in cdk.json's ``context`` or with ``-c key=value`` (the
Makefile passes HOME_REGION= and ACCOUNT= that way), docs/configuration.md says what each means. Values
given on the command line arrive as strings, so every key is parsed here and a bad value fails synth with
a message naming the key, instead of surfacing later as an opaque CloudFormation error. The CDK app
(stacks/), the local server and the bench read it alike.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from observability.model import EDGE_REGION
from observability.monitoring_config import DEFAULT_ACCOUNT_CONCURRENCY_LIMIT, MAX_RUNBOOK_URL, MonitoringConfig
from service.contract import SERVICE_NAME
from service.time_budget import DYNAMODB_CALL_WORST_CASE_S, MIN_LAMBDA_TIMEOUT_S
from service.tracing import MODES as TRACING_MODES
from service.tracing import OTEL
from settings.countries import ISO_3166_ALPHA2
from settings.tracing_layer import OTEL_PYTHON_LAYER_ARNS

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
    """A context value is invalid; the message names the key and what is accepted."""


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


Reader = Callable[[str, Any], Any]  # (key, value as given) -> the field's value, or ConfigError naming the key


def setting(default: Any, read: Reader) -> Any:
    """A configuration key: its default as cdk.json spells it (``None`` for null) and how a value is read."""
    return field(metadata={"default": default, "read": read})


def integer(lo: int, hi: int) -> Reader:
    return lambda key, value: _int(key, value, lo, hi)


def matching(pattern: re.Pattern[str], what: str) -> Reader:
    return lambda key, value: _match(key, value, pattern, what)


def optional(read: Reader) -> Reader:
    """null (or "null"/"none"/"" on the command line) reads as None, anything else as ``read`` says."""
    return lambda key, value: None if _absent(value) else read(key, value)


def one_of(choices: Mapping[str, Any] | tuple[str, ...], lower: bool = False) -> Reader:
    def read(key: str, value: Any) -> str:
        text = str(value).strip().lower() if lower else str(value).strip()
        if text not in choices:
            raise ConfigError(f"context '{key}' must be one of {tuple(choices)}, got {text!r}")
        return text

    return read


def _reserved(key: str, value: Any) -> int | None:
    """0 or null: do not reserve (accounts that cannot)."""
    return None if _absent(value) else (_int(key, value, 0, 10_000) or None)


def _retention(key: str, value: Any) -> int:
    days = _int(key, value, 1, 3653)
    if days not in RETENTION_DAYS:
        raise ConfigError(f"context '{key}' must be one of {tuple(RETENTION_DAYS)}, got {days}")
    return days


def _timeout(key: str, value: Any) -> int:
    # At least one DynamoDB call's worst case plus the time to answer (service/time_budget.py has the
    # arithmetic): below that, the request deadline would cut even the first call's retries.
    timeout = _int(key, value, 1, 900)
    if timeout < MIN_LAMBDA_TIMEOUT_S:
        raise ConfigError(
            f"context '{key}' must be at least {MIN_LAMBDA_TIMEOUT_S}: one DynamoDB call may take "
            f"{DYNAMODB_CALL_WORST_CASE_S:g} s with its retry, plus the time to answer (service/time_budget.py)"
        )
    return timeout


def _domain(key: str, value: Any) -> str:
    return _match(key, str(value).lower(), _DOMAIN_RE, "a DNS name")


def _account_limit(key: str, value: Any) -> int:
    return DEFAULT_ACCOUNT_CONCURRENCY_LIMIT if _absent(value) else _int(key, value, 1, 10_000_000)


@dataclass(frozen=True)
class InfraConfig:
    """Everything the stacks read from context, already validated: one field per context key, in the order
    of docs/configuration.md, each with its default and its reader."""

    prefix: str = setting(
        "OrdersApi", matching(_PREFIX_RE, "a letter then up to 39 letters, digits or '-'")
    )  # stack names <prefix>-Service, ...
    home_region: str = setting("eu-west-1", matching(_REGION_RE, "an AWS region such as eu-west-1"))
    # null: the CDK CLI's account (CDK_DEFAULT_ACCOUNT), else PLACEHOLDER_ACCOUNT (load_config fills it in).
    account: str = setting(None, matching(_ACCOUNT_RE, "a 12-digit AWS account id (or null)"))
    reserved_concurrency: int | None = setting(10, _reserved)  # None: do not reserve (accounts that cannot)
    memory_mb: int = setting(512, integer(128, 10_240))
    timeout_seconds: int = setting(10, _timeout)
    origin_read_timeout_seconds: int = setting(30, integer(1, MAX_ORIGIN_READ_TIMEOUT_SECONDS))
    log_retention_days: int = setting(30, _retention)
    waf_rate_limit: int = setting(1000, integer(10, 2_000_000_000))  # requests per IP per 5-minute window
    price_class: str = setting("PriceClass_100", one_of(PRICE_CLASSES))
    alarm_email: str | None = setting(None, optional(matching(_EMAIL_RE, "an e-mail address")))  # page topics
    ticket_email: str | None = setting(None, optional(matching(_EMAIL_RE, "an e-mail address")))  # ticket topics
    domain_name: str | None = setting(None, optional(_domain))
    certificate_arn: str | None = setting(None, optional(matching(_ACM_ARN_RE, "an ACM certificate ARN")))
    # The `service` of logs and metric dimensions, and the prefix of alarm, dashboard, topic and
    # saved-query names: give each stage in one account and region its own (orders-api-staging).
    service_name: str = setting(
        SERVICE_NAME,
        matching(_SERVICE_RE, "lower-case letters, digits or '-' (up to 40), starting with a letter"),
    )
    runbook_url: str = setting(None, lambda _key, value: _runbook_url(value))  # where alarms point on-call
    viewer_protocol: str = setting("https-only", one_of(VIEWER_PROTOCOLS))
    # The region's Lambda concurrency quota: the account-concurrency alarm's 100 % (used only when
    # reserved_concurrency is 0, i.e. the function shares the account pool).
    account_concurrency_limit: int = setting(DEFAULT_ACCOUNT_CONCURRENCY_LIMIT, _account_limit)
    retain_table: bool = setting(True, _bool)
    # Edge options (issue 10), all off by default.
    cors_allowed_origins: tuple[str, ...] = setting([], lambda _key, value: cors_origins(value))  # the function's
    geo_allow: tuple[str, ...] = setting(None, _countries)  # only these countries (WAF geo match)
    geo_deny: tuple[str, ...] = setting(None, _countries)  # every country but these
    api_keys: bool = setting(False, _bool)  # x-api-key checked by a CloudFront Function against a KeyValueStore
    api_key_rate_limit: int = setting(1000, integer(10, 2_000_000_000))  # per API key per 5 minutes (WAF)
    shield_advanced: bool = setting(False, _bool)  # Shield Advanced + DDoSDetected alarm (subscription needed)
    # With shield_advanced: the anti-DDoS rule group is always added; Shield's older automatic
    # application-layer response only on request (new customers need AWS Support to enable it).
    shield_automatic_response: bool = setting(False, _bool)
    # Tracing backend (service/tracing.py): otel (AWS's OpenTelemetry distro layer, settings/tracing_layer.py),
    # xray (Powertools' Tracer; X-Ray SDK end of support 2027-02-25) or off. application_signals: only with otel.
    tracing: str = setting(OTEL, one_of(TRACING_MODES, lower=True))
    application_signals: bool = setting(False, _bool)
    # With application_signals: enable Application Signals in the account and region (its discovery, once per
    # account: false when it is already enabled there). docs/tracing.md.
    application_signals_discovery: bool = setting(True, _bool)
    # SnapStart: publish a version with a snapshot and serve the Function URL from an alias of it.
    snap_start: bool = setting(False, _bool)
    # An outside-in check (stacks/canary.py): a Synthetics canary calls the API through CloudFront every
    # 5 minutes and pages (api-unreachable) when it cannot. On unless turned off.
    canary: bool = setting(True, _bool)
    # Fire drills (issue 27, stacks/drills.py): the FIS extension on the function and one fault experiment
    # per drillable failure-mode row. Off: the templates are exactly as without it.
    drills: bool = setting(False, _bool)
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


SETTINGS = tuple(f for f in fields(InfraConfig) if f.init)
CONTEXT_KEYS: tuple[str, ...] = tuple(f.name for f in SETTINGS)
DEFAULTS: dict[str, Any] = {f.name: f.metadata["default"] for f in SETTINGS}  # as cdk.json would spell them


def _timeout_below_origin_read(c: InfraConfig) -> None:
    # CloudFront must wait longer than Lambda may run, or a slow request becomes a 504 at the edge while
    # the function keeps running (and billing) with nobody to answer.
    if c.timeout_seconds >= c.origin_read_timeout_seconds:
        raise ConfigError(
            f"context 'timeout_seconds' ({c.timeout_seconds}) must be below 'origin_read_timeout_seconds' "
            f"({c.origin_read_timeout_seconds})"
        )


def _domain_with_certificate_in_edge_region(c: InfraConfig) -> None:
    if (c.domain_name is None) != (c.certificate_arn is None):
        raise ConfigError("context 'domain_name' and 'certificate_arn' must be set together (or both null)")
    if c.certificate_arn is not None:
        cert_region = _ACM_ARN_RE.match(c.certificate_arn).group("region")  # type: ignore[union-attr]  # read by _ACM_ARN_RE
        if cert_region != EDGE_REGION:
            raise ConfigError(
                f"context 'certificate_arn' must be an ACM certificate in {EDGE_REGION}, got {cert_region}"
            )


def _one_geo_list(c: InfraConfig) -> None:
    if c.geo_allow and c.geo_deny:
        raise ConfigError("context 'geo_allow' and 'geo_deny' are mutually exclusive: set one (or neither)")


def _shield_response_needs_shield(c: InfraConfig) -> None:
    if c.shield_automatic_response and not c.shield_advanced:
        raise ConfigError("context 'shield_automatic_response' needs 'shield_advanced': true")


def _tracing_options(c: InfraConfig) -> None:
    if c.tracing == "otel" and c.home_region not in OTEL_PYTHON_LAYER_ARNS:
        raise ConfigError(
            f"context 'tracing' otel: no OpenTelemetry layer pinned for {c.home_region} (settings/tracing_layer.py); "
            "pin one there, or deploy with -c tracing=xray"
        )
    if c.application_signals and c.tracing != "otel":
        raise ConfigError("context 'application_signals' needs 'tracing' otel (it reads OpenTelemetry spans)")


def _drills_without_otel(c: InfraConfig) -> None:
    if c.drills and c.tracing == "otel":
        # Lambda runs one AWS_LAMBDA_EXEC_WRAPPER: the FIS extension's bootstrap or the OpenTelemetry layer's.
        raise ConfigError(
            "context 'drills' needs the function's AWS_LAMBDA_EXEC_WRAPPER for the FIS extension "
            "(/opt/aws-fis/bootstrap), which 'tracing' otel already uses (/opt/otel-instrument): deploy the "
            "drill stage with tracing xray (or off), or set drills false"
        )


# What no single key can check: the keys that must agree with each other, in the order they are reported.
CROSS_CHECKS: tuple[Callable[[InfraConfig], None], ...] = (
    _timeout_below_origin_read,
    _domain_with_certificate_in_edge_region,
    _one_geo_list,
    _shield_response_needs_shield,
    _tracing_options,
    _drills_without_otel,
)


def load_config(context: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> InfraConfig:
    """Build an InfraConfig from context values (``context_of``); an absent key takes its default.

    ``environ`` defaults to os.environ and is only read for CDK_DEFAULT_ACCOUNT, which the CDK CLI
    sets from your credentials; tests pass an empty mapping to stay deterministic.
    """
    given = {**DEFAULTS, **{k: v for k, v in context.items() if k in DEFAULTS}}
    given["account"] = _account_or_cli(given["account"], os.environ if environ is None else environ)
    config = InfraConfig(**{f.name: f.metadata["read"](f.name, given[f.name]) for f in SETTINGS})
    for check in CROSS_CHECKS:
        check(config)
    return config


def _account_or_cli(value: Any, env: Mapping[str, str]) -> Any:
    """null: the account of the CDK CLI's credentials, or the placeholder (synth without credentials)."""
    return (env.get("CDK_DEFAULT_ACCOUNT") or PLACEHOLDER_ACCOUNT) if _absent(value) else value


CDK_JSON = Path(__file__).resolve().parents[1] / "cdk.json"


def cdk_json_context(path: Path = CDK_JSON) -> dict[str, Any]:
    """The configuration keys cdk.json's context sets (the others take their defaults): what the CDK app reads
    without ``-c`` overrides, for the tools that run beside it (the local server)."""
    return context_of(json.loads(path.read_text(encoding="utf-8")).get("context", {}))


def cli_context(args: Sequence[str], path: Path = CDK_JSON) -> dict[str, Any]:
    """cdk.json's configuration keys with ``-c key=value`` overrides (the CDK CLI's syntax, as ``make`` passes
    ``CDK_ARGS=``): the one reader for the tools beside the app (RUNBOOK.md, verify, drill, the backtest).
    Raises ValueError on any other argument."""
    ctx: dict[str, Any] = cdk_json_context(path)
    it = iter(args)
    for flag in it:
        if flag not in ("-c", "--context"):
            raise ValueError(f"expected -c key=value, got {flag!r}")
        key, _, value = next(it, "").partition("=")
        ctx[key] = value
    return ctx


def context_of(context: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration keys of the app's context (``app.node.get_all_context()``: cdk.json and ``-c``):
    a key given as null stays, so that null can mean what a key says it means (reserved_concurrency)."""
    return {k: v for k, v in context.items() if k in DEFAULTS}
