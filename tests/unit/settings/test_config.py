"""The context loader: every key has one default, and bad values fail with a message naming the key."""

from __future__ import annotations

import json
from typing import Any

import pytest

from settings.config import CONTEXT_KEYS, DEFAULTS, PLACEHOLDER_ACCOUNT, ConfigError, context_of, load_config
from tests.support.synth import CDK_CONTEXT, CERT_ARN, ROOT


def _with(**overrides: Any) -> dict[str, Any]:
    return {**CDK_CONTEXT, **overrides}


def test_defaults_load_and_every_key_is_documented() -> None:
    config = load_config(CDK_CONTEXT, environ={})
    assert config.account == PLACEHOLDER_ACCOUNT  # null account, no CLI credentials
    assert config.timeout_seconds < config.origin_read_timeout_seconds
    assert load_config({}, environ={}) == config  # cdk.json sets no key: each default is declared once
    assert not set(CDK_CONTEXT) & set(CONTEXT_KEYS), "cdk.json repeats a default of settings/config.py"
    doc = (ROOT / "docs" / "configuration.md").read_text()
    for key in CONTEXT_KEYS:
        assert f"| `{key}` |" in doc, f"the configuration table (docs/configuration.md) misses {key}"


def test_snap_start_defaults_off_and_names_the_alias_everything_reads() -> None:
    off = load_config(CDK_CONTEXT, environ={})
    assert off.snap_start is False
    assert off.function_alias is None
    assert off.monitoring.function_alias is None
    on = load_config(_with(snap_start="true"), environ={})  # -c snap_start=true
    assert on.snap_start is True
    # One source: the service stack's alias and the monitoring's Resource dimension use this name.
    assert on.function_alias == on.monitoring.function_alias == "live"


def test_cli_strings_are_parsed() -> None:
    # `-c key=value` delivers strings.
    config = load_config(
        _with(reserved_concurrency="0", memory_mb="1024", retain_table="false", account="null"),
        environ={"CDK_DEFAULT_ACCOUNT": "222222222222"},
    )
    assert config.reserved_concurrency is None
    assert config.memory_mb == 1024
    assert config.retain_table is False
    assert config.account == "222222222222"
    assert load_config(_with(reserved_concurrency="7"), environ={}).reserved_concurrency == 7


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"home_region": "Europe"}, "home_region"),
        ({"account": "12345"}, "account"),
        ({"reserved_concurrency": -1}, "reserved_concurrency"),
        ({"memory_mb": "lots"}, "memory_mb"),
        ({"timeout_seconds": 30, "origin_read_timeout_seconds": 30}, "below 'origin_read_timeout_seconds'"),
        ({"origin_read_timeout_seconds": 61}, "origin_read_timeout_seconds"),
        ({"timeout_seconds": 5}, "'timeout_seconds' must be at least 6"),
        ({"log_retention_days": 31}, "log_retention_days"),
        ({"waf_rate_limit": 5}, "waf_rate_limit"),
        ({"price_class": "PriceClass_Cheap"}, "price_class"),
        ({"alarm_email": "not-an-address"}, "alarm_email"),
        ({"service_name": "Orders API"}, "service_name"),
        ({"runbook_url": "RUNBOOK.md"}, "runbook_url"),
        ({"snap_start": "maybe"}, "snap_start"),
        ({"runbook_url": "http://example.com/RUNBOOK.md"}, "runbook_url"),
        ({"domain_name": "api.example.com"}, "set together"),
        (
            {"domain_name": "api.example.com", "certificate_arn": CERT_ARN.replace("us-east-1", "eu-west-1")},
            "us-east-1",
        ),
        ({"retain_table": "maybe"}, "retain_table"),
        ({"geo_allow": ["DE", "UK"]}, "ISO 3166-1 alpha-2 .*UK"),  # the ISO code is GB
        ({"geo_deny": "XX"}, "geo_deny"),
        ({"geo_allow": ["DE"], "geo_deny": ["FR"]}, "mutually exclusive"),
        ({"geo_allow": {"DE": 1}}, "geo_allow"),
        ({"cors_allowed_origins": ["*"]}, "cors_allowed_origins"),
        ({"cors_allowed_origins": ["https://app.example.com/"]}, "cors_allowed_origins"),
        ({"cors_allowed_origins": ["http://app.example.com"]}, "cors_allowed_origins"),
        ({"api_keys": "maybe"}, "api_keys"),
        ({"api_key_rate_limit": 5}, "api_key_rate_limit"),
        ({"shield_advanced": "yes please"}, "shield_advanced"),
        ({"viewer_protocol": "allow-all"}, "viewer_protocol"),
        ({"account_concurrency_limit": 0}, "account_concurrency_limit"),
    ],
)
def test_invalid_values_name_the_key(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_with(**overrides), environ={})


def test_edge_options_are_off_by_default_and_parse_from_the_cli() -> None:
    default = load_config(CDK_CONTEXT, environ={})
    assert (default.cors_allowed_origins, default.geo_allow, default.geo_deny) == ((), (), ())
    assert (default.api_keys, default.shield_advanced) == (False, False)
    config = load_config(
        _with(
            cors_allowed_origins="https://App.example.com,http://localhost:3000",
            geo_deny='["ru", "KP"]',
            api_keys="true",
            shield_advanced="true",
        ),
        environ={},
    )
    assert config.cors_allowed_origins == ("https://app.example.com", "http://localhost:3000")
    assert config.geo_deny == ("RU", "KP")
    assert config.api_keys is True
    assert config.monitoring.shield_advanced is True
    assert load_config(_with(geo_allow=["de", "DE", "fr"]), environ={}).geo_allow == ("DE", "FR")


def test_an_absent_key_takes_its_default_and_a_null_keeps_its_meaning() -> None:
    assert load_config({}, environ={}).memory_mb == DEFAULTS["memory_mb"] == 512
    assert load_config({}, environ={}).reserved_concurrency == 10
    # The app's context as CDK hands it over (feature flags, CLI keys): null reserved_concurrency = do not reserve.
    app_context = {
        "@aws-cdk/core:explicitStackTags": True,
        "aws:cdk:version-reporting": False,
        "reserved_concurrency": None,
    }
    assert context_of(app_context) == {"reserved_concurrency": None}
    assert load_config(context_of(app_context), environ={}).reserved_concurrency is None
    with pytest.raises(ConfigError, match="'memory_mb' must be an integer"):
        load_config({"memory_mb": None}, environ={})


def test_package_json_pins_a_cli_that_reads_this_assembly() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    major, minor, *_ = (int(p) for p in package["devDependencies"]["aws-cdk"].split("."))
    assert (major, minor) >= (2, 1148)
    assert major == 2  # 3.x cannot read aws-cdk-lib 2.275's cloud assembly
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/aws-cdk"]["version"] == package["devDependencies"]["aws-cdk"]


def test_a_stage_gets_its_own_service_name_and_runbook_link() -> None:
    config = load_config(
        _with(service_name="orders-api-staging", runbook_url="https://example.com/repo/RUNBOOK.md"), environ={}
    )
    assert config.service_name == "orders-api-staging"
    assert config.runbook_url == "https://example.com/repo/RUNBOOK.md"
    assert load_config(CDK_CONTEXT, environ={}).runbook_url == "RUNBOOK.md"  # null: the relative link


def test_viewer_protocol_is_https_only_by_default_and_configurable() -> None:
    # A redirected POST can come back as a GET without its body: an API refuses plain HTTP instead.
    assert load_config(_with(), environ={}).viewer_protocol == "https-only"
    assert load_config(_with(viewer_protocol="redirect-to-https"), environ={}).viewer_protocol == "redirect-to-https"


def test_account_concurrency_limit_reaches_the_monitoring_config() -> None:
    config = load_config(_with(account_concurrency_limit="10", reserved_concurrency="0"), environ={})
    assert config.monitoring.account_concurrency_limit == 10


def test_shield_automatic_response_is_opt_in_and_needs_shield_advanced() -> None:
    assert load_config(_with(shield_advanced=True), environ={}).shield_automatic_response is False
    on = load_config(_with(shield_advanced=True, shield_automatic_response="true"), environ={})
    assert on.shield_automatic_response is True
    with pytest.raises(ConfigError, match="'shield_automatic_response' needs 'shield_advanced'"):
        load_config(_with(shield_automatic_response=True), environ={})
