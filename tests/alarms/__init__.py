"""An offline CloudWatch alarm evaluator for scenario tests (see README.md in this folder)."""
