"""One module per monitored unit, each of the one shape ``observability.unit`` describes: its metric
factory, ``alarms(scope)`` (typed, with their playbooks) and ``panels(scope, alarms)`` (its part of the
dashboard, drawn from those very alarms). ``observability.plan.UNITS`` lists them in order.

Adding a unit (e.g. a canary, a dependency): a module here, then one line in ``observability.plan.UNITS``.
"""
