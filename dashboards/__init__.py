"""Dashboard builders generated from the route catalogue (CDK code lives in ``operations.py``).

This package's top level stays free of CDK imports: ``sections`` is shared with the runbook and
alarm descriptions, which run without CDK.
"""
