"""The DynamoDB client every table of the service uses, bound to the time budget.

Timeouts and retries come from service/contract.py (the arithmetic is there). The client is a thin
proxy over botocore clients: before each API call it reads the request's deadline
(service/deadline.py) and
- uses the full client (DYNAMODB_MAX_ATTEMPTS attempts) while that call's whole worst case fits in
  the remaining time minus the reserve;
- otherwise uses a client with one attempt and a read timeout cut to what is left (a few sizes,
  created on first need and kept), and a connect or read timeout there is a DeadlineExceeded;
- raises DeadlineExceeded without calling when not even the shortest wait fits.
So no DynamoDB wait can run the function into Lambda's timeout, whatever the dependency does.
"""

from __future__ import annotations

import functools
from typing import Any

from service import contract, deadline
from service.dal.faults import DeadlineExceeded

# Read timeouts (s) of the one-attempt clients used near the deadline, longest first.
SHORT_READ_TIMEOUTS_S: tuple[float, ...] = (1.0, 0.5, 0.25, 0.1)
_SHORT_CONNECT_TIMEOUT_S = 0.25


class BudgetedClient:
    """A botocore DynamoDB client whose every call fits in the request's remaining time."""

    def __init__(self, endpoint_url: str | None = None) -> None:
        # botocore is imported here, not at module level: the module stays cheap to import.
        import botocore.session

        self._session = botocore.session.get_session()
        self._endpoint_url = endpoint_url
        self._full = self._create(
            connect_timeout=contract.DYNAMODB_CONNECT_TIMEOUT_S,
            read_timeout=contract.DYNAMODB_READ_TIMEOUT_S,
            attempts=contract.DYNAMODB_MAX_ATTEMPTS,
        )
        self._operations = frozenset(self._full.meta.method_to_api_mapping)
        self._full_budget_ms = contract.DYNAMODB_CALL_WORST_CASE_S * 1000 + contract.DEADLINE_RESERVE_MS

    def _create(self, *, connect_timeout: float, read_timeout: float, attempts: int) -> Any:
        from botocore.config import Config

        config = Config(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"mode": contract.DYNAMODB_RETRY_MODE, "total_max_attempts": attempts},
        )
        return self._session.create_client("dynamodb", endpoint_url=self._endpoint_url, config=config)

    @functools.cache  # noqa: B019 - one per size, lives as long as the (module-level) client
    def _short(self, read_timeout: float) -> Any:
        return self._create(connect_timeout=_SHORT_CONNECT_TIMEOUT_S, read_timeout=read_timeout, attempts=1)

    def __getattr__(self, name: str) -> Any:
        # API operations go through the budget; everything else (meta, exceptions, ...) is the full client's.
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._operations:
            return getattr(self._full, name)
        return functools.partial(self._call, name)

    def _call(self, operation: str, /, **kwargs: Any) -> Any:
        remaining = deadline.remaining_ms()
        if remaining is None or remaining >= self._full_budget_ms:
            return getattr(self._full, operation)(**kwargs)
        usable_s = (remaining - contract.DEADLINE_RESERVE_MS) / 1000 - _SHORT_CONNECT_TIMEOUT_S
        read_timeout = next((t for t in SHORT_READ_TIMEOUTS_S if t <= usable_s), None)
        if read_timeout is None:
            raise DeadlineExceeded(f"{remaining:.0f} ms left: not enough for a DynamoDB {operation}")
        from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

        try:
            return getattr(self._short(read_timeout), operation)(**kwargs)
        except (ConnectTimeoutError, ReadTimeoutError) as exc:
            raise DeadlineExceeded(f"DynamoDB {operation} did not answer within the request's deadline") from exc
