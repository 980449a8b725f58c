"""The deployment's configuration, CDK-free: every context key once with its default (config.py), and the pinned
data it is checked against. The CDK app (stacks/), the local server, the scripts and the backtest read it alike."""
