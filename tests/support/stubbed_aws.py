"""A boto3-like session whose clients are real botocore clients under a Stubber (no account, no network):
each call must have been given its response (``session.stub(service, region).add_response(...)``)."""

from __future__ import annotations

from typing import Any

import botocore.session
from botocore.stub import Stubber


def client(service: str, region: str) -> Any:
    return botocore.session.get_session().create_client(
        service,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106
    )


class Session:
    """A boto3-like session whose clients are stubbed (one per service and region)."""

    def __init__(self) -> None:
        self.clients: dict[tuple[str, str], Any] = {}
        self.stubs: dict[tuple[str, str], Stubber] = {}

    def stub(self, service: str, region: str) -> Stubber:
        if (service, region) not in self.stubs:
            c = client(service, region)
            self.clients[(service, region)] = c
            self.stubs[(service, region)] = Stubber(c).__enter__()
        return self.stubs[(service, region)]

    def client(self, service: str, region_name: str) -> Any:
        self.stub(service, region_name)
        return self.clients[(service, region_name)]

    def done(self) -> None:
        for s in self.stubs.values():
            s.assert_no_pending_responses()
