"""An offline CloudWatch alarm simulator: synthesized alarms evaluated minute by minute over made-up
metrics, with CloudWatch's missing-data and metric-math rules (see README.md in this folder)."""
