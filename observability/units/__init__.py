"""One module per monitored unit. Each declares, as plain data, its metrics, its alarms (with
their playbooks) and its part of the dashboard; ``observability.plan`` puts them together.

Adding a unit (e.g. CloudFront access logs, Shield, a dependency): a module here with
``alarms(...)`` and its widgets or section, then one line each in ``observability.plan``.
"""
