"""One Lambda-like execution environment: `python -m local.worker <fd>` (started by local.workers).

Init imports the handler once; then each frame on the channel is one invocation, handled alone.
The handler's logs and EMF go to this process's stdout, which the supervisor relays line by line.
"""

from __future__ import annotations

import json
import signal
import socket
import sys
import traceback

from local.workers import recv_frame, send_frame


def main(argv: list[str]) -> int:
    # Ctrl-C reaches the whole process group; the supervisor decides when workers end (it closes
    # the channel), so no KeyboardInterrupt traceback from here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel = socket.socket(fileno=int(argv[1]))

    from local.events import LocalLambdaContext
    from service.handler import handler

    send_frame(channel, {"ready": True})
    while True:
        try:
            message = recv_frame(channel)
        except OSError:
            return 0
        if message is None:
            return 0
        request_id = message["request_id"]
        try:
            result = handler(message["event"], LocalLambdaContext(aws_request_id=request_id))
            reply = {"result": result}
        except Exception as exc:
            # What the Lambda Python runtime logs for an unhandled exception: one JSON document.
            error = {
                "errorMessage": str(exc),
                "errorType": type(exc).__name__,
                "requestId": request_id,
                "stackTrace": traceback.format_tb(exc.__traceback__),
            }
            sys.stdout.write(json.dumps(error, default=str) + "\n")
            sys.stdout.flush()
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        send_frame(channel, reply)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
