"""The working tree's alarms as the CDK app deploys them, without CDK: cdk.json's context with the
``-c key=value`` overrides of ``CDK_ARGS=`` (``settings.config.cli_context``), validated by
``settings.config.load_config`` and planned by ``observability.plan.plan`` exactly as ``stacks/build.py`` does;
then turned into the offline evaluator's alarms by the same function the local console uses
(``dashboards.console_document.alarm_set``), so the console and the backtest judge one definition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dashboards.console_document import alarm_set
from observability.model import AnyAlarm
from observability.plan import Plan, plan
from observability.simulator.evaluator import AlarmSet, MetricAlarm
from service.catalogue import ROUTES
from settings.config import InfraConfig, cli_context, load_config


@dataclass(frozen=True)
class Configured:
    config: InfraConfig
    plan: Plan

    @property
    def service_name(self) -> str:
        return self.config.service_name


def configured(context_args: Sequence[str] = ()) -> Configured:
    """The plan `make deploy` would deploy with these ``-c key=value`` arguments."""
    config = load_config(cli_context(context_args), environ={})
    return Configured(config, plan(config.monitoring, ROUTES, config.reserved_concurrency))


@dataclass(frozen=True)
class Judged:
    """The plan's alarms by key (model and evaluator form) for one set of deploy-time values."""

    model: Mapping[str, AnyAlarm]
    evaluator: AlarmSet

    @property
    def metric_alarms(self) -> dict[str, MetricAlarm]:
        return self.evaluator.metric_alarms()


def judged(p: Plan, refs: Mapping[str, str]) -> Judged:
    """``refs``: deploy-time values by Ref name (function_name, table_name, distribution_id, ...)."""
    return Judged({a.key: a for a in p.alarms}, alarm_set(p.alarms, refs))
