"""The API-key check at the edge: cloudfront_functions/api_key.js as a viewer-request CloudFront Function, with its
KeyValueStore (sha256(key) -> client, status). Keys live outside the template: scripts/api_keys.py
reads the store's ARN from the ApiKeysKvsArn output. The per-key rate limit is a WAF rule (waf.py)."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront

from settings.config import InfraConfig

OUTPUT_KVS_ARN = "ApiKeysKvsArn"  # read by scripts/api_keys.py
API_KEY_FUNCTION_CODE = Path(__file__).resolve().parents[2] / "cloudfront_functions" / "api_key.js"


class ApiKeys:
    """The function (``function``) and its store; every behaviour runs it (see ``associations``)."""

    def __init__(self, stack: cdk.Stack, config: InfraConfig) -> None:
        store = cloudfront.KeyValueStore(
            stack, "ApiKeys", comment=f"{config.service_name}: sha256(api key) -> client, status"
        )
        self.function = cloudfront.Function(
            stack,
            "ApiKeyCheck",
            code=cloudfront.FunctionCode.from_file(file_path=str(API_KEY_FUNCTION_CODE)),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            key_value_store=store,
            comment=f"{config.service_name}: x-api-key check (viewer request)",
        )
        cdk.CfnOutput(stack, OUTPUT_KVS_ARN, value=store.key_value_store_arn)


def function_associations(api_keys: ApiKeys | None) -> list[cloudfront.FunctionAssociation] | None:
    """For every behaviour: the key check (its exemptions, /health and preflights, live in the code)."""
    if api_keys is None:
        return None
    return [
        cloudfront.FunctionAssociation(
            function=api_keys.function, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
        )
    ]
