#!/usr/bin/env python3
"""CDK entry point (cdk.json "app"). Configuration comes from cdk.json context; see stacks/config.py."""

from __future__ import annotations

import sys

import aws_cdk as cdk

from stacks.build import build_app
from stacks.config import ConfigError, context_of, load_config


def main() -> None:
    app = cdk.App()
    try:
        config = load_config(context_of(app.node.try_get_context))
    except ConfigError as err:
        sys.exit(f"cdk.json / -c context error: {err}")
    build_app(app, config)
    app.synth()


if __name__ == "__main__":
    main()
