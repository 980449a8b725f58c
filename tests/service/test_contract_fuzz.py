"""Property-based tests generated from openapi.json: whatever a client sends to a documented
operation, the API answers no 5xx, only statuses the contract documents for that operation, with
the documented Content-Type and a body that validates against the documented schema, and writes
exactly one access line.

Requests are generated from the checked-in document itself (hypothesis; `from_schema` below turns
the JSON Schema subset the document uses into strategies): path, query and header parameters and
JSON bodies that follow their schemas, mixed with values that do not (any text, any JSON), and sent
through `service.handler.handler` as Function URL events. Integers are sometimes sent as 2.0, which
JSON Schema calls an integer too. Bounded and deterministic: a fixed number of examples per
operation, derandomized.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.support.handler import invoke

DOC: dict[str, Any] = json.loads((Path(__file__).resolve().parents[2] / "openapi.json").read_text())
OPERATIONS = [(path, method) for path, item in sorted(DOC["paths"].items()) for method in sorted(item)]
EXAMPLES_PER_OPERATION = 40
pytestmark = pytest.mark.usefixtures("few_orders")  # tests/service/conftest.py

# Any JSON value: what a careless or hostile client may send instead of the documented body.
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values valid against a schema of the subset openapi.json uses ($ref, anyOf, enum, string with
    pattern/length, integer/number with bounds, boolean, null, array, object with required and
    additionalProperties: false). Anything else fails loudly, so a new construct cannot go unfuzzed."""
    if "$ref" in schema:
        return st.deferred(lambda: from_schema(DOC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]))
    if "anyOf" in schema:
        return st.one_of(*(from_schema(s) for s in schema["anyOf"]))
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        lo, hi = schema.get("minLength", 0), schema.get("maxLength", 64)
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True).filter(lambda v: lo <= len(v) <= hi)
        return st.text(min_size=lo, max_size=min(hi, 80))
    if kind == "integer":
        ints = st.integers(int(schema.get("minimum", -(2**31))), int(schema.get("maximum", 2**31)))
        return ints.flatmap(lambda i: st.sampled_from([i, float(i)]))  # 2.0 is an integer to JSON Schema
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        hi = min(schema.get("maxItems", 10), 10)
        return st.lists(from_schema(schema.get("items", {})), min_size=schema.get("minItems", 0), max_size=hi)
    if kind == "object" and schema.get("additionalProperties") is False:
        props = schema.get("properties", {})
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {k: from_schema(v) for k, v in props.items() if k in required},
            optional={k: from_schema(v) for k, v in props.items() if k not in required},
        )
    raise NotImplementedError(f"teach from_schema this schema: {schema}")


def resolved(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema whose #/components/... references resolve inside itself."""
    return {**schema, "components": DOC["components"]}


def value_for(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Mostly valid values for a parameter, sometimes any text."""
    return st.one_of(from_schema(schema), st.text(max_size=40))


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@st.composite
def requests(draw: st.DrawFn, path: str, method: str) -> tuple[str, str, Any, dict[str, str]]:
    operation = DOC["paths"][path][method]
    target = path
    query: dict[str, str] = {}
    headers: dict[str, str] = {}
    for parameter in operation.get("parameters", []):
        name, where = parameter["name"], parameter["in"]
        if where == "path":
            target = target.replace("{" + name + "}", quote(as_text(draw(value_for(parameter["schema"]))), safe=""))
            continue
        if not parameter.get("required") and draw(st.booleans()):
            continue
        value = draw(value_for(parameter["schema"]))
        if value is None:
            continue
        text = as_text(value)
        if where == "query":
            query[name] = text
        elif where == "header" and all(32 <= ord(c) < 127 for c in text):  # HTTP carries no other header text
            headers[name] = text
    body = None
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = draw(st.one_of(from_schema(content["application/json"]["schema"]), ANY_JSON))
    if query:
        target += "?" + urlencode(query)
    return method.upper(), target, body, headers


def send(request: tuple[str, str, Any, dict[str, str]]) -> Any:
    verb, target, body, headers = request
    return invoke(verb, target, body=None if body is None else json.dumps(body), headers=headers)


def check_against_contract(path: str, method: str, call: Any) -> None:
    documented = DOC["paths"][path][method]["responses"]
    status = str(call.status)
    assert call.status < 500, (call.event, call.response)
    assert status in documented, f"{method.upper()} {path} answered {status}, documented {sorted(documented)}"
    assert len(call.access_lines) == 1
    response = documented[status]
    content = response.get("content") or {}
    if not content:  # e.g. 204
        assert not call.response.get("body"), call.response
        return
    ((media_type, media),) = content.items()
    assert call.headers["content-type"] == media_type, (call.headers, media_type)
    errors = sorted(Draft202012Validator(resolved(media["schema"])).iter_errors(call.json), key=str)
    assert not errors, (call.json, [e.message for e in errors])
    for header in response.get("headers", {}):
        if header.lower() in ("location", "retry-after"):  # always sent with their status
            assert header.lower() in call.headers, (header, call.headers)


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_every_documented_operation_answers_as_documented(path: str, method: str) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,  # the same examples on every run: a failure is reproducible, CI is stable
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(request=requests(path, method))
    def fuzz(request: tuple[str, str, Any, dict[str, str]]) -> None:
        check_against_contract(path, method, send(request))

    fuzz()


def test_the_generator_reaches_success_and_client_errors() -> None:
    """The fuzzer is not vacuous: it produces both valid requests and ones the API refuses."""
    statuses: set[int] = set()

    @settings(max_examples=40, derandomize=True, deadline=None, database=None)
    @given(request=requests("/orders", "post"))
    def sample(request: tuple[str, str, Any, dict[str, str]]) -> None:
        statuses.add(send(request).status)

    sample()
    assert 201 in statuses
    assert statuses & {400, 422}
