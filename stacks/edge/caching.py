"""Edge caching for the catalogue's cached routes: one cache behaviour and cache policy per route,
and CloudFront's additional metrics, the only metric that sees cache hits.

Paths and their order come from cache_paths.py (CloudFront takes the first matching behaviour; that
module proves the order). Same origin, OAC and origin request policy as the default behaviour
(distribution.py); only the cache policy differs.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront

from settings.config import InfraConfig
from stacks.edge.cache_paths import CacheBehaviour
from stacks.edge.distribution import viewer_protocol_policy


def add_cache_behaviours(
    stack: cdk.Stack,
    config: InfraConfig,
    distribution: cloudfront.Distribution,
    origin: cloudfront.IOrigin,
    behaviours: tuple[CacheBehaviour, ...],
    function_associations: list[cloudfront.FunctionAssociation] | None,
) -> None:
    """One behaviour per cached route, most specific pattern first (``behaviours`` is in that order)."""
    for b in behaviours:
        distribution.add_behavior(
            b.path_pattern,
            origin,
            # All methods, like the default: the API answers 405 itself, and OPTIONS (CORS preflight)
            # must pass. CloudFront caches only GET and HEAD.
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD,
            viewer_protocol_policy=viewer_protocol_policy(config),
            cache_policy=cache_policy(stack, config, b),
            # Everything but Host (the Function URL routes on its own host name). Cache-key headers
            # and query strings are forwarded anyway; the key holds no Host, cookie or credential.
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
            compress=True,
            function_associations=function_associations,
        )


def cache_policy(stack: cdk.Stack, config: InfraConfig, b: CacheBehaviour) -> cloudfront.CachePolicy:
    """The route's cache rule (TTL, query keys) from the catalogue as a cache policy."""
    rule = b.rule
    ttl = cdk.Duration.seconds(rule.ttl_s)
    return cloudfront.CachePolicy(
        stack,
        f"Cache-{b.route.name}",
        comment=f"{b.route.label}: {rule.ttl_s} s, from the route catalogue",
        min_ttl=cdk.Duration.seconds(0),  # so the function's no-store on errors is honoured
        default_ttl=ttl,
        max_ttl=ttl,
        # With CORS on, the answer carries Access-Control-Allow-Origin per origin: key on Origin.
        header_behavior=cloudfront.CacheHeaderBehavior.allow_list("Origin")
        if config.cors_allowed_origins
        else cloudfront.CacheHeaderBehavior.none(),
        query_string_behavior=cloudfront.CacheQueryStringBehavior.allow_list(*rule.query_keys)
        if rule.query_keys
        else cloudfront.CacheQueryStringBehavior.none(),
        cookie_behavior=cloudfront.CacheCookieBehavior.none(),
        enable_accept_encoding_gzip=True,
        enable_accept_encoding_brotli=True,
    )


def subscribe_additional_metrics(stack: cdk.Stack, distribution: cloudfront.Distribution) -> None:
    """CloudFront's additional metrics (CacheHitRate, OriginLatency, per-status rates): cache hits
    never reach the function, so this is the only metric that sees them (paid per distribution)."""
    cloudfront.CfnMonitoringSubscription(
        stack,
        "AdditionalMetrics",
        distribution_id=distribution.distribution_id,
        monitoring_subscription=cloudfront.CfnMonitoringSubscription.MonitoringSubscriptionProperty(
            realtime_metrics_subscription_config=cloudfront.CfnMonitoringSubscription.RealtimeMetricsSubscriptionConfigProperty(
                realtime_metrics_subscription_status="Enabled"
            )
        ),
    )
