"""`python -m service.local [--host H] [--port P]`: the stable entry point of the local server.

The server and its DynamoDB emulator live in the top-level package local/ (see local/server.py).
This shim is not part of the Lambda asset (stacks/service_stack.py leaves it out), and it imports
local/ only when run, so nothing in service/ depends on code outside service/.
"""

from __future__ import annotations

import importlib
import runpy

# Names this module exported before the server moved to local/, for callers not yet moved.
_MOVED = {"LocalLambdaContext": "local.events", "function_url_event": "local.events", "ensure_table": "local.emulator"}


def __getattr__(name: str) -> object:
    if name in _MOVED:
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    runpy.run_module("local", run_name="__main__", alter_sys=True)
