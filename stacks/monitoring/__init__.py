"""The CDK side of the observability: renders an ``observability.plan.Plan`` into CloudWatch
alarms, a dashboard (laid out in ``dashboards/``) and saved queries. What is monitored is declared in
``observability/``."""
