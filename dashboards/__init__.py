"""The operations dashboard, as plain data: its layout (``layout``: the units' panels in
``observability.plan.UNITS`` order, between the header and the alarm and log tables) and its notes
(``notes``). No CDK here: ``stacks/monitoring/cloudwatch_dashboard.py`` renders a layout to
CloudWatch."""
