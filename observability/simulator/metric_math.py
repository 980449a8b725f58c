"""The subset of CloudWatch metric math our alarms use, with CloudWatch's documented missing-data rules.

A time series (TS) is a dict timestamp -> value holding only the timestamps that have a datapoint; the
evaluator passes the grid of timestamps the alarm asked for, which FILL needs. Sources for each rule are
the pages "Using math expressions with CloudWatch metrics" / "Metric math syntax and functions" (cited
below as [math]).
"""

from __future__ import annotations

import functools
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:  # typing.TypeIs is 3.13+; the machines' default python3 is 3.11
    from typing import TypeIs

TS = dict[int, float]
Value = Union[float, TS, list[TS]]  # noqa: UP007 (recursive alias readability)

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<str>\"[^\"]*\")|(?P<op>==|!=|<=|>=|&&|\|\||[-+*/^()<>,\[\]]))"
)


def tokenize(text: str) -> list[str]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SyntaxError(f"cannot parse metric math at {text[pos:]!r}")
        out.append(m.group(m.lastgroup or ""))
        pos = m.end()
    return out


@dataclass(frozen=True)
class Node:
    kind: str  # num, id, str, neg, bin, call, array
    value: object = None
    args: tuple[Node, ...] = ()


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = tokenize(text)
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (expected is not None and tok != expected):
            raise SyntaxError(f"expected {expected or 'a token'}, got {tok!r}")
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.logic_or()
        if self.peek() is not None:
            raise SyntaxError(f"unexpected {self.peek()!r}")
        return node

    def _binary(self, ops: dict[str, str], sub: Callable[[], Node]) -> Node:
        node = sub()
        while self.peek() in ops:
            op = ops[self.take()]
            node = Node("bin", op, (node, sub()))
        return node

    def logic_or(self) -> Node:
        return self._binary({"OR": "or", "||": "or"}, self.logic_and)

    def logic_and(self) -> Node:
        return self._binary({"AND": "and", "&&": "and"}, self.compare)

    def compare(self) -> Node:
        return self._binary({o: o for o in ("==", "!=", "<=", ">=", "<", ">")}, self.add)

    def add(self) -> Node:
        return self._binary({"+": "+", "-": "-"}, self.mul)

    def mul(self) -> Node:
        return self._binary({"*": "*", "/": "/"}, self.unary)

    def unary(self) -> Node:
        if self.peek() == "-":
            self.take()
            return Node("neg", None, (self.unary(),))
        base = self.primary()
        if self.peek() == "^":
            self.take()
            return Node("bin", "^", (base, self.unary()))
        return base

    def primary(self) -> Node:
        tok = self.take()
        if tok == "(":
            node = self.logic_or()
            self.take(")")
            return node
        if tok == "[":
            items = [self.logic_or()]
            while self.peek() == ",":
                self.take()
                items.append(self.logic_or())
            self.take("]")
            return Node("array", None, tuple(items))
        if tok[0].isdigit() or tok[0] == ".":
            return Node("num", float(tok))
        if tok[0] == '"':
            return Node("str", tok[1:-1])
        if tok[0].isalpha() or tok[0] == "_":
            if self.peek() == "(":
                self.take()
                args: list[Node] = []
                if self.peek() != ")":
                    args.append(self.logic_or())
                    while self.peek() == ",":
                        self.take()
                        args.append(self.logic_or())
                self.take(")")
                return Node("call", tok, tuple(args))
            return Node("id", tok)
        raise SyntaxError(f"unexpected {tok!r}")


@functools.lru_cache(maxsize=512)
def parse(expression: str) -> Node:
    return _Parser(expression).parse()


def _div(a: float, b: float) -> float | None:
    # [math] "If the value of a data point causes a function to attempt to divide by zero, the data point is dropped."
    return None if b == 0 else a / b


_OPS: dict[str, Callable[[float, float], float | None]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _div,
    "^": lambda a, b: a**b,
    "==": lambda a, b: float(a == b),
    "!=": lambda a, b: float(a != b),
    "<": lambda a, b: float(a < b),
    "<=": lambda a, b: float(a <= b),
    ">": lambda a, b: float(a > b),
    ">=": lambda a, b: float(a >= b),
    "and": lambda a, b: float(bool(a) and bool(b)),
    "or": lambda a, b: float(bool(a) or bool(b)),
}


_ARITHMETIC = frozenset("+-*/^")


@dataclass
class Context:
    """What an expression can read: the grid of timestamps, query results by id, metric periods."""

    grid: Sequence[int]
    queries: Mapping[str, Callable[[], Value]]
    metric_ids: Sequence[str]  # ids of MetricStat queries, in order (for METRICS())
    periods: Mapping[str, int]
    # [math] "Missing values in a time series are treated as 0" (basic arithmetic). Set True to model
    # the stricter reading "a value only where both series have one", to test that an alarm holds either way.
    strict_arithmetic: bool = False
    # Set False when the expression reduced a series to a scalar (MAX(m)): then a timestamp's result
    # depends on other timestamps, which the evaluator must know to recompute late data correctly.
    pointwise: bool = True


def _is_ts(v: Value) -> TypeIs[TS]:
    return isinstance(v, dict)


def _binop(op: str, a: Value, b: Value, ctx: Context) -> Value:
    fn = _OPS[op]
    if isinstance(a, list) or isinstance(b, list):
        left = a if isinstance(a, list) else None
        right = b if isinstance(b, list) else None
        n = len(left if left is not None else right or [])
        return [_binop(op, left[i] if left else a, right[i] if right else b, ctx) for i in range(n)]  # type: ignore[misc]  # each side is a list (array) or a scalar, zipped
    if not _is_ts(a) and not _is_ts(b):
        r = fn(a, b)
        return math.nan if r is None else r
    if _is_ts(a) and _is_ts(b):
        ta, tb = a, b
        # [math] arithmetic: "Missing values in a time series are treated as 0"; comparisons: "only one of the
        # time series has a value ... treats the missing value in the other time series as 0".
        strict = ctx.strict_arithmetic and op in _ARITHMETIC
        stamps = ta.keys() & tb.keys() if strict else ta.keys() | tb.keys()
        pairs = ((t, fn(ta.get(t, 0.0), tb.get(t, 0.0))) for t in stamps)
    elif _is_ts(a):
        pairs = ((t, fn(v, b)) for t, v in a.items())  # type: ignore[arg-type]  # b is the pair's scalar side
    else:
        pairs = ((t, fn(a, v)) for t, v in b.items())  # type: ignore[union-attr]  # b is the series side here
    if op != "/":  # only a division drops a datapoint (by zero)
        return dict(pairs)  # type: ignore[arg-type]  # every other operator returns a float
    return {t: r for t, r in pairs if r is not None}


def _reduce_array(name: str, arr: list[TS]) -> TS:
    out: TS = {}
    stamps = set().union(*(s.keys() for s in arr)) if arr else set()
    for t in stamps:
        present = [s[t] for s in arr if t in s]
        if name == "SUM":  # [math] SUM of an array "returns a single time series" (sums what is present)
            out[t] = sum(present)
        elif name == "AVG":  # [math] AVG of an array: "Missing values are treated as 0"
            out[t] = sum(present) / len(arr)
        elif name == "MAX":
            out[t] = max(present)
        elif name == "MIN":
            out[t] = min(present)
    return out


def _reduce_single(name: str, ts: TS) -> float:
    """[math] SUM/AVG/MAX/MIN of a single time series return a scalar over its datapoints."""
    vals = list(ts.values())
    if not vals:
        return math.nan
    reducers: dict[str, Callable[[list[float]], float]] = {
        "SUM": sum,
        "MAX": max,
        "MIN": min,
        "AVG": lambda v: sum(v) / len(v),
    }
    return reducers[name](vals)


def _if(cond: Value, yes: Value, no: Value | None) -> Value:
    """[math] "Using IF expressions": per-timestamp choice, following the page's example tables. The result has
    a datapoint only where the condition has one, whatever the true and false values are (the page's
    IF(metric1, metric2, 5) example has no value where metric1 has none, the scalar included)."""
    if not _is_ts(cond):
        if isinstance(cond, list):
            raise NotImplementedError("IF on an array")
        return yes if cond else (no if no is not None else {})
    out: TS = {}
    for t, cv in cond.items():
        if cv != 0:
            # TRUE: the true value; "0, if ... TRUE and the corresponding data point does not exist in metric2"
            out[t] = yes.get(t, 0.0) if _is_ts(yes) else yes  # type: ignore[assignment]  # yes is a scalar or a series here, never an array
        elif no is None:
            continue  # FALSE without a falseValue: dropped
        elif _is_ts(no):
            if t in no:
                out[t] = no[t]
        else:
            out[t] = no  # type: ignore[assignment]  # no is a scalar here, never an array
    return out


def evaluate(node: Node, ctx: Context) -> Value:
    k = node.kind
    if k == "num":
        return node.value  # type: ignore[return-value]  # a num node's value is a float
    if k == "id":
        name = str(node.value)
        if name not in ctx.queries:
            raise KeyError(f"metric math refers to unknown id {name!r}")
        return ctx.queries[name]()
    if k == "neg":  # [math] "Unary subtraction"
        return _binop("*", -1.0, evaluate(node.args[0], ctx), ctx)
    if k == "bin":
        return _binop(str(node.value), evaluate(node.args[0], ctx), evaluate(node.args[1], ctx), ctx)
    if k == "array":
        items: list[TS] = []
        for a in node.args:
            v = evaluate(a, ctx)
            items.extend(v if isinstance(v, list) else [v])  # type: ignore[list-item]  # an array's items are time series
        return items
    if k == "call":
        return _call(str(node.value), node.args, ctx)
    raise SyntaxError(f"cannot evaluate {node}")


def _call(name: str, args: tuple[Node, ...], ctx: Context) -> Value:
    if name == "METRICS":  # [math] METRICS(): all metrics in the request (optionally whose Id contains a string)
        sub = str(args[0].value) if args else ""
        return [ctx.queries[i]() for i in ctx.metric_ids if sub in i]  # type: ignore[misc]  # METRICS() yields each query's series
    if name == "PERIOD":
        return float(ctx.periods[str(args[0].value)])
    vals = [evaluate(a, ctx) for a in args]
    if name == "FILL":
        # [math] FILL "Fills the missing values of a metric with the specified filler value"
        target, filler = vals
        if isinstance(target, list):
            return [_fill(t, filler, ctx) for t in target]
        if not _is_ts(target):
            raise TypeError("FILL needs a time series")
        return _fill(target, filler, ctx)
    if name in ("SUM", "AVG", "MAX", "MIN"):
        (v,) = vals
        if isinstance(v, list):
            return _reduce_array(name, v)
        ctx.pointwise = False
        return _reduce_single(name, v)  # type: ignore[arg-type]  # a single series (arrays returned above)
    if name == "IF":
        return _if(vals[0], vals[1], vals[2] if len(vals) > 2 else None)
    if name in ("ABS", "CEIL", "FLOOR"):
        fns: dict[str, Callable[[float], float]] = {"ABS": abs, "CEIL": math.ceil, "FLOOR": math.floor}
        fn = fns[name]
        (v,) = vals
        if isinstance(v, list):
            return [{t: float(fn(x)) for t, x in s.items()} for s in v]
        return {t: float(fn(x)) for t, x in v.items()} if _is_ts(v) else float(fn(v))
    raise NotImplementedError(f"metric math function {name} is not modelled")


def _fill(target: TS, filler: Value, ctx: Context) -> TS:
    if isinstance(filler, str | list):
        raise NotImplementedError("FILL with REPEAT/LINEAR or an array is not modelled")
    if _is_ts(filler):
        out: TS = {}
        for t in ctx.grid:
            if t in target:
                out[t] = target[t]
            elif t in filler:
                out[t] = filler[t]
        return out
    value = float(filler)  # a scalar here (series, strings and arrays handled above)
    return {t: target.get(t, value) for t in ctx.grid}
