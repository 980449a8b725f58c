"""What is monitored, as plain data: one module per monitored unit (``units/``, of the one shape
``unit`` describes), the model types (``model``), the EMF metric factory (``emf``), the tunables
(``monitoring_config``), the saved-query registry (``queries``), and what is generated from them
without CDK or the dashboard (``alarm_docs``: alarm descriptions and RUNBOOK.md; ``cost``).
``plan.plan()`` puts the units together; ``dashboards/`` lays out their panels; ``stacks/monitoring``
renders both with CDK. Nothing in this package imports CDK or ``dashboards``."""
