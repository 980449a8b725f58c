"""The bytecode the function's asset carries: compiled for Lambda's Python (stacks/service_stack.py RUNTIME)."""

from __future__ import annotations

from stacks.service_stack import RUNTIME_PYTHON_VERSION

RUNTIME_CACHE_TAG = "cpython-" + RUNTIME_PYTHON_VERSION.replace(".", "")  # cpython-313
