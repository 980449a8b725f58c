"""The DynamoDB client every table of the service uses, bound to the time budget.

Timeouts and retries come from service/time_budget.py (the arithmetic is there). The client is a thin
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

from service import deadline, time_budget
from service.dal.dependency_errors import DeadlineExceeded

# Read timeouts (s) of the one-attempt clients used near the deadline, longest first.
SHORT_READ_TIMEOUTS_S: tuple[float, ...] = (1.0, 0.5, 0.25, 0.1)
_SHORT_CONNECT_TIMEOUT_S = 0.25


SERVICE = "dynamodb"


def dynamodb_session() -> Any:
    """A new botocore session whose model loader only knows DynamoDB.

    botocore's default loader checks every client's service name against the list of all services
    it ships, and builds that list by scanning its data directory (~440 folders) once for the
    service model and once for the endpoint rule set: ~20 ms of init for a list with one name we
    use. ``_dynamodb_loader`` is botocore's own loader, on the same search paths (AWS_DATA_PATH
    included), answering that question with "dynamodb": model, version, rule set and endpoints are
    loaded exactly as by default (tests/service/test_cold_start.py compares the clients). It is shared by
    every session this process creates, so a second client (SnapStart's after-restore hook) reuses
    the parsed models; the session, and with it the credential chain, is new each time.
    """
    import botocore.session

    session = botocore.session.get_session()
    session.register_component("data_loader", _dynamodb_loader(session.get_config_variable("data_path")))
    return session


@functools.cache
def _dynamodb_loader(data_path: str | None) -> Any:
    # botocore is imported here, not at module level, so this module stays cheap to import.
    from botocore.loaders import Loader, create_loader

    class DynamoDBOnlyLoader(Loader):
        def list_available_services(self, type_name: str) -> list[str]:
            return [SERVICE]

    search_paths = create_loader(data_path).search_paths  # botocore's parsing of AWS_DATA_PATH
    return DynamoDBOnlyLoader(extra_search_paths=list(search_paths), include_default_search_paths=False)


class BudgetedClient:
    """A botocore DynamoDB client whose every call fits in the request's remaining time."""

    def __init__(self, endpoint_url: str | None = None) -> None:
        self._session = dynamodb_session()
        self._shorts: dict[float, Any] = {}
        self._endpoint_url = endpoint_url
        self._full = self._create(
            connect_timeout=time_budget.DYNAMODB_CONNECT_TIMEOUT_S,
            read_timeout=time_budget.DYNAMODB_READ_TIMEOUT_S,
            attempts=time_budget.DYNAMODB_MAX_ATTEMPTS,
        )
        self._operations = frozenset(self._full.meta.method_to_api_mapping)
        self._full_budget_ms = time_budget.DYNAMODB_CALL_WORST_CASE_S * 1000 + time_budget.DEADLINE_RESERVE_MS

    def _create(self, *, connect_timeout: float, read_timeout: float, attempts: int) -> Any:
        from botocore.config import Config

        config = Config(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"mode": time_budget.DYNAMODB_RETRY_MODE, "total_max_attempts": attempts},
        )
        return self._session.create_client(SERVICE, endpoint_url=self._endpoint_url, config=config)

    def _short(self, read_timeout: float) -> Any:
        """The one-attempt client of that read timeout, created on first need and kept."""
        if read_timeout not in self._shorts:
            self._shorts[read_timeout] = self._create(
                connect_timeout=_SHORT_CONNECT_TIMEOUT_S, read_timeout=read_timeout, attempts=1
            )
        return self._shorts[read_timeout]

    def close(self) -> None:
        """Close every client's connection pool (SnapStart: the snapshot's sockets are not ours)."""
        self._full.close()
        for client in self._shorts.values():
            client.close()
        self._shorts.clear()

    def __getattr__(self, name: str) -> Any:
        # API operations go through the budget; everything else (meta, exceptions, ...) is the full client's.
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._operations:
            return getattr(self._full, name)
        # Kept on the instance: the next lookup of this operation finds it without coming back here.
        operation = functools.partial(self._call, name)
        self.__dict__[name] = operation
        return operation

    def _call(self, operation: str, /, **kwargs: Any) -> Any:
        remaining = deadline.remaining_ms()
        if remaining is None or remaining >= self._full_budget_ms:
            return getattr(self._full, operation)(**kwargs)
        usable_s = (remaining - time_budget.DEADLINE_RESERVE_MS) / 1000 - _SHORT_CONNECT_TIMEOUT_S
        read_timeout = next((t for t in SHORT_READ_TIMEOUTS_S if t <= usable_s), None)
        if read_timeout is None:
            raise DeadlineExceeded(f"{remaining:.0f} ms left: not enough for a DynamoDB {operation}")
        from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

        try:
            return getattr(self._short(read_timeout), operation)(**kwargs)
        except (ConnectTimeoutError, ReadTimeoutError) as exc:
            raise DeadlineExceeded(f"DynamoDB {operation} did not answer within the request's deadline") from exc
