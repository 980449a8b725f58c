"""Observability as code for the orders API: alarms, dashboard and saved queries from the catalogue.

Import the stacks from ``stacks.monitoring.stacks``; this package root stays CDK-free so the runbook
and cost scripts (``python -m stacks.monitoring.runbook`` / ``.cost``) start fast.
"""
