"""Request and response models: validated by Powertools (enable_validation) and used for OpenAPI."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Currency = Literal["EUR", "USD", "GBP"]
OrderStatus = Literal["CREATED"]

# Ids are generated server-side as 32 lower-case hex characters (uuid4().hex).
ORDER_ID_PATTERN = r"^[0-9a-f]{32}$"
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


def _integral_number(value: Any) -> Any:
    """JSON Schema's `integer` is any number with a zero fraction (2.0 included): accept it as the int it is.
    Strict mode still refuses strings ("2"), booleans and 2.5, as the schema does."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer in the JSON Schema sense: 2 and 2.0 validate, "2", true and 2.5 do not.
JsonInt = Annotated[int, BeforeValidator(_integral_number)]


class OrderItem(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    sku: str = Field(pattern=SKU_PATTERN, description="Stock keeping unit, ASCII letters, digits, . _ -")
    quantity: JsonInt = Field(ge=1, le=1000)
    unit_price_cents: JsonInt = Field(ge=0, le=10_000_000, description="Price of one unit in minor units")


class CreateOrder(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    customer_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    currency: Currency
    items: list[OrderItem] = Field(min_length=1, max_length=50)


class Order(BaseModel):
    order_id: str = Field(pattern=ORDER_ID_PATTERN)
    customer_id: str
    currency: Currency
    items: list[OrderItem]
    total_cents: int
    status: OrderStatus
    created_at: str = Field(description="RFC 3339 UTC timestamp")


class OrderPage(BaseModel):
    orders: list[Order]
    next_cursor: str | None = Field(description="Pass as ?cursor= to fetch the next page; null on the last page")


class CurrencyTotal(BaseModel):
    currency: Currency
    order_count: int
    total_cents: int


class OrdersSummary(BaseModel):
    order_count: int
    item_count: int
    totals: list[CurrencyTotal]
    top_customers: list[str] = Field(description="Up to 5 customer ids with the most orders")


class Health(BaseModel):
    status: Literal["ok"]
    service: str


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every error response."""

    type: str = Field(description="Always about:blank: the status code says it all")
    title: str
    status: int
    detail: str
    correlation_id: str = Field(description="Quote it when reporting a problem; also in x-correlation-id")


class ValidationErrorItem(BaseModel):
    loc: list[str | int] = Field(description="Where: e.g. ['body', 'items', 0, 'quantity'] or ['query', 'limit']")
    type: str = Field(description="What: pydantic's error type, e.g. missing, int_type, string_pattern_mismatch")


class ValidationProblem(Problem):
    """A 422: the problem details plus where validation failed (the input itself is never echoed)."""

    errors: list[ValidationErrorItem]
