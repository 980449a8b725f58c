"""`python -m service.local [--host H] [--port P]`: the stable entry point of the local server.

The server and its DynamoDB emulator live in the top-level package local/ (see local/server.py).
This shim is not part of the Lambda asset (stacks/service_stack.py leaves it out), and it imports
local/ only when run, so nothing in service/ depends on code outside service/.
"""

from __future__ import annotations

import runpy

if __name__ == "__main__":
    runpy.run_module("local", run_name="__main__", alter_sys=True)
