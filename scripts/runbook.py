"""RUNBOOK.md for the configured app: ``python -m scripts.runbook [-c key=value ...] > RUNBOOK.md``.

``make docs`` runs it with the same ``-c`` overrides as ``make synth`` (``CDK_ARGS=``, ``HOME_REGION=``),
so the alarm, topic, dashboard and saved-query names in the runbook are the deployed ones; a test
fails when the checked-in file differs from cdk.json's configuration.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from observability.alarm_docs import render_markdown
from settings.config import cli_context, load_config

ROOT = Path(__file__).resolve().parents[1]


def render(args: Sequence[str] = ()) -> str:
    try:
        context = cli_context(args)
    except ValueError as err:
        raise SystemExit(f"usage: python -m scripts.runbook [-c key=value ...]: {err}") from err
    config = load_config(context, environ={})
    overrides = " ".join(f"-c {a}" for a in args[1::2])
    how = (
        f"This runbook is rendered for `service_name={config.service_name}` from cdk.json"
        + (f" with `{overrides}`" if overrides else "")
        + "; for another stage: `make docs CDK_ARGS='-c service_name=<name>'`."
    )
    return render_markdown(config.monitoring, how=how)


def main() -> None:
    sys.stdout.write(render(sys.argv[1:]))


if __name__ == "__main__":
    main()
