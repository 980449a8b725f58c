#!/usr/bin/env python3
"""CDK entry point (cdk.json "app"). Configuration comes from CDK context (cdk.json, -c); see settings/config.py."""

from __future__ import annotations

import sys

import aws_cdk as cdk

from settings.config import ConfigError, cdk_json_context, context_of, load_config
from stacks.build import build_app


def main() -> None:
    app = cdk.App()
    try:
        # The app's context (cdk.json merged with -c) over cdk.json's own keys: jsii drops a null-valued key,
        # and null may mean something (reserved_concurrency: null = do not reserve).
        config = load_config({**cdk_json_context(), **context_of(app.node.get_all_context())})
    except ConfigError as err:
        sys.exit(f"cdk.json / -c context error: {err}")
    build_app(app, config)
    app.synth()


if __name__ == "__main__":
    main()
