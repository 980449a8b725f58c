"""`make backtest`: the alarms the working tree would deploy, replayed over a recorded history.

A history (``history.History``) is per-minute metric data from one of three sources: the account
(``account.fetch``: GetMetricData, within CloudWatch's retention), the local server's recording
(``local_source.read``: ``.local/`` of `make run`), or a saved file (``history.save`` / ``history.load``).
``replay.run`` evaluates every alarm of the plan over it with the offline CloudWatch evaluator
(``observability.simulator``), minute by minute; ``report`` prints what would have notified, when, for
how long, which alarms fired together, and what the replay cannot know. ``deployed`` reads the alarms
deployed now and their real state history, to compare with the working tree and check the evaluator's
fidelity. No CDK: the plan is built from cdk.json's context the way ``scripts/runbook.py`` builds it.
"""
