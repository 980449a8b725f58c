"""What is monitored, as plain data: one module per monitored unit (``units/``), the model types
(``model``), the saved-query registry (``queries``), the dashboard layout (``dashboard``), and
what is generated from them without CDK (``runbook``, ``cost``). ``plan.plan()`` puts it together;
``stacks/monitoring`` renders a plan with CDK. Nothing in this package imports CDK."""
