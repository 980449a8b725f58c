"""The DynamoDB emulator (moto server on loopback) and the orders table in it.

`make run` runs it in its own process (`python -m local.emulator`): moto keeps copies of what it
serves, so its memory is contained there and reported apart from the workers'. The tests start it
in-process with start_embedded_dynamodb().
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
from typing import Any
from urllib.parse import urlsplit

from service.dal.tables import default_idempotency_table, table_definitions

_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal")  # noqa: S104 - names, not binds
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


def use_dummy_credentials(env: dict[str, str] | os._Environ[str]) -> None:
    """The emulator accepts any credentials: never let a local run pick up real ones."""
    env.update(DUMMY_CREDENTIALS)
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)


def is_local_endpoint(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in _LOCAL_HOSTS or host.startswith("127.")


def start_moto(port: int) -> tuple[Any, str]:
    """moto's server on loopback (port 0: a free one), started; with its URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # keep stdout/stderr for the service's logs
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound = server.get_host_and_port()
    return server, f"http://{host}:{bound}"


def start_embedded_dynamodb() -> Any:
    """Start moto's DynamoDB in this process on a free loopback port and point the service at it."""
    server, url = start_moto(0)
    os.environ["DYNAMODB_ENDPOINT_URL"] = url
    use_dummy_credentials(os.environ)
    return server


class EmulatorProcess:
    """`python -m local.emulator` as a child process; `url` once it listens."""

    def __init__(self) -> None:
        env = dict(os.environ)
        use_dummy_credentials(env)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local.emulator"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        first = self.process.stdout.readline() if self.process.stdout else ""
        if "listening on " not in first:
            self.stop()
            raise RuntimeError("the DynamoDB emulator did not start (see stderr)")
        self.url = first.split("listening on ")[1].split()[0]
        # Anything else it prints goes to stderr: stdout is the service's telemetry only.
        threading.Thread(target=_drain, args=(self.process.stdout,), daemon=True).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _drain(stream: Any) -> None:
    for line in stream:
        sys.stderr.write(line)


def ensure_table(table_name: str, endpoint_url: str) -> None:
    """Create the orders table and its idempotency table (named as the service derives it) if missing."""
    import boto3

    client = boto3.client("dynamodb", endpoint_url=endpoint_url)
    existing = set(client.list_tables().get("TableNames", []))
    for definition in table_definitions(table_name, default_idempotency_table(table_name)):
        if definition["TableName"] not in existing:
            client.create_table(**definition)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.emulator", description="moto DynamoDB on loopback")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    # The supervisor ends us (SIGTERM); Ctrl-C in the terminal reaches the whole group: ignore it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())

    server, url = start_moto(args.port)
    print(f"dynamodb emulator listening on {url}", flush=True)
    while not stopped.wait(1.0):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
