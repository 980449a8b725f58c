"""The test suite, one folder per tier (tests/README.md). A package, and so is every tier: tests/service
and tests/local never shadow the top-level service/ and local/."""
