"""The test suite (a package, so tests/observability never shadows the top-level observability/)."""
