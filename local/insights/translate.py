"""One Logs Insights query -> one DuckDB SQL statement over a relation of JSON events."""

# ruff: noqa: S608 - this module's job is writing SQL; queries are the project's own, run on local files

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from local.insights.lexer import _UNITS_S, Unsupported, commands, tokens

_AGGREGATES = {"count", "count_distinct", "sum", "avg", "min", "max", "pct"}
_SCALARS = {"ispresent", "isempty", "bin", "tolower", "toupper", "strlen", "abs", "floor", "ceil", "concat", "coalesce"}
_COMPARE = {"=", "!=", "<", "<=", ">", ">="}
# Logs Insights reads JSON true/false as 1/0 and a numeric text as its number.
_NUM = "CASE WHEN {x} = 'true' THEN 1.0 WHEN {x} = 'false' THEN 0.0 ELSE TRY_CAST({x} AS DOUBLE) END"


@dataclass(frozen=True)
class Value:
    """A translated expression: its SQL and kind (text: a field's text; num; time: epoch ms; bool)."""

    sql: str
    kind: str

    @property
    def num(self) -> str:
        return self.sql if self.kind in ("num", "time") else _NUM.format(x=f"CAST({self.sql} AS VARCHAR)")


@dataclass
class _Stage:
    """What the current relation defines: field name -> its value (the rest are read from the event)."""

    defined: dict[str, Value] = field(default_factory=dict)
    grouped: bool = False  # after stats: only the stats columns exist


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _field(name: str, stage: _Stage) -> Value:
    name = name.strip("`")
    if name in stage.defined:
        return stage.defined[name]
    if stage.grouped:
        return Value("NULL", "text")
    if name == "@timestamp":
        return Value("CAST(r ->> '$.\"@timestamp\"' AS BIGINT)", "time")
    path = "$." + ".".join('"' + p.replace('"', "") + '"' for p in name.split("."))
    return Value(f"(r ->> '{path}')", "text")


def _string(tok: str) -> str:
    """A quoted string or /regex/ token as a SQL literal."""
    return _sql_text(tok[1:-1].replace("\\" + tok[0], tok[0]))


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _Parser:
    """One command's tokens -> SQL values (recursive descent, Logs Insights precedence)."""

    def __init__(self, toks: list[tuple[str, str]], stage: _Stage) -> None:
        self.toks, self.pos, self.stage = toks, 0, stage
        self.aggregates = 0

    def peek(self, k: int = 0) -> str | None:
        return self.toks[self.pos + k][1] if self.pos + k < len(self.toks) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.toks):
            raise Unsupported(f"unexpected end of command, expected {expected or 'more'}")
        tok = self.toks[self.pos]
        if expected is not None and tok[1].lower() != expected:
            raise Unsupported(f"expected {expected!r}, found {tok[1]!r}")
        self.pos += 1
        return tok

    def at_end(self) -> bool:
        return self.pos >= len(self.toks)

    def expr(self) -> Value:
        left = self.conj()
        while (self.peek() or "").lower() == "or":
            self.take()
            right = self.conj()
            left = Value(f"(({left.sql}) OR ({right.sql}))", "bool")
        return left

    def conj(self) -> Value:
        left = self.neg()
        while (self.peek() or "").lower() == "and":
            self.take()
            right = self.neg()
            left = Value(f"(({left.sql}) AND ({right.sql}))", "bool")
        return left

    def neg(self) -> Value:
        if (self.peek() or "").lower() == "not":
            self.take()
            inner = self.neg()
            return Value(f"(NOT COALESCE(({inner.sql}), FALSE))", "bool")
        return self.comparison()

    def comparison(self) -> Value:
        left = self.additive()
        op = (self.peek() or "").lower()
        negate = False
        if op == "not" and (self.peek(1) or "").lower() in ("like", "in"):
            self.take()
            negate, op = True, (self.peek() or "").lower()
        if op in _COMPARE:
            self.take()
            right = self.additive()
            numeric = "num" in (left.kind, right.kind) or "time" in (left.kind, right.kind)
            a, b = (
                (left.num, right.num) if numeric else (f"CAST({left.sql} AS VARCHAR)", f"CAST({right.sql} AS VARCHAR)")
            )
            return Value(f"({a} {'<>' if op == '!=' else op} {b})", "bool")
        if op in ("like", "=~"):
            self.take()
            kind, tok = self.take()
            text = f"CAST({left.sql} AS VARCHAR)"
            if kind == "regex":
                sql = f"regexp_matches({text}, {_string(tok)})"
            elif kind == "string":
                sql = f"contains({text}, {_string(tok)})"
            else:
                raise Unsupported(f"like needs a /regex/ or a string, found {tok!r}")
            return Value(f"(NOT {sql})" if negate else sql, "bool")
        if op == "in":
            self.take()
            self.take("[")
            items = [self.additive()]
            while self.peek() == ",":
                self.take()
                items.append(self.additive())
            self.take("]")
            numeric = all(i.kind == "num" for i in items)
            lhs = left.num if numeric else f"CAST({left.sql} AS VARCHAR)"
            listed = ", ".join(i.num if numeric else i.sql for i in items)
            return Value(f"({lhs} {'NOT IN' if negate else 'IN'} ({listed}))", "bool")
        return left

    def additive(self) -> Value:
        left = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            right = self.term()
            left = Value(f"({left.num} {op} {right.num})", "num")
        return left

    def term(self) -> Value:
        left = self.unary()
        while self.peek() in ("*", "/", "%"):
            op = self.take()[1]
            right = self.unary()
            sql = f"({left.num} / NULLIF({right.num}, 0))" if op == "/" else f"({left.num} {op} {right.num})"
            left = Value(sql, "num")
        return left

    def unary(self) -> Value:
        if self.peek() == "-":
            self.take()
            return Value(f"(- {self.unary().num})", "num")
        return self.primary()

    def primary(self) -> Value:
        kind, tok = self.take()
        if tok == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if kind == "number":
            if not tok[-1].isdigit():
                raise Unsupported(f"a duration ({tok}) outside bin()")
            return Value(tok, "num")
        if kind == "string":
            return Value(_string(tok), "str")
        if kind == "ident" and tok.lower() in ("true", "false"):
            return Value("1.0" if tok.lower() == "true" else "0.0", "num")
        if kind == "ident" and self.peek() == "(":
            return self.call(tok)
        if kind == "ident":
            return _field(tok, self.stage)
        raise Unsupported(f"unexpected {tok!r}")

    def call(self, name: str) -> Value:
        fn = name.lower()
        self.take("(")
        if fn not in _AGGREGATES | _SCALARS:
            raise Unsupported(f"function {name}()")
        if fn == "bin":
            kind, tok = self.take()
            self.take(")")
            match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)", tok)
            if kind != "number" or not match:
                raise Unsupported(f"bin({tok}): a duration such as 5m or 1h")
            ms = int(float(match.group(1)) * _UNITS_S[match.group(2)] * 1000)
            ts = _field("@timestamp", self.stage).sql
            return Value(f"(({ts} // {ms}) * {ms})", "time")
        if fn == "count" and self.peek() == "*":
            self.take()
            self.take(")")
            self.aggregates += 1
            return Value("COUNT(*)", "num")
        args = [self.expr()]
        while self.peek() == ",":
            self.take()
            args.append(self.expr())
        self.take(")")
        if fn in _AGGREGATES:
            self.aggregates += 1
        a = args[0]
        text = f"CAST({a.sql} AS VARCHAR)"
        simple = {
            "count": f"COUNT({a.sql})",
            "count_distinct": f"COUNT(DISTINCT {a.sql})",
            "sum": f"SUM({a.num})",
            "avg": f"AVG({a.num})",
            "ispresent": f"({a.sql} IS NOT NULL)",
            "isempty": f"({a.sql} IS NULL OR {text} = '')",
            "tolower": f"lower({text})",
            "toupper": f"upper({text})",
            "strlen": f"length({text})",
            "abs": f"abs({a.num})",
            "floor": f"floor({a.num})",
            "ceil": f"ceil({a.num})",
        }
        if fn in simple:
            kind = "bool" if fn in ("ispresent", "isempty") else "str" if fn in ("tolower", "toupper") else "num"
            return Value(simple[fn], kind)
        if fn in ("min", "max"):
            return Value(f"{fn.upper()}({a.num})", "num")
        if fn == "pct":
            if len(args) != 2 or args[1].kind != "num":
                raise Unsupported("pct(field, percentile) with a number")
            return Value(f"quantile_disc({a.num}, {float(args[1].sql) / 100})", "num")
        if fn == "concat":
            return Value("concat(" + ", ".join(f"CAST({x.sql} AS VARCHAR)" for x in args) + ")", "str")
        return Value("coalesce(" + ", ".join(f"CAST({x.sql} AS VARCHAR)" for x in args) + ")", "text")

    def named(self) -> tuple[str, Value]:
        """``expr [as name]``: the column's name is the alias or the expression as written."""
        start = self.pos
        value = self.expr()
        text = " ".join(t for _, t in self.toks[start : self.pos])
        text = re.sub(r"\s*([(),])\s*", lambda m: m.group(1) + (" " if m.group(1) == "," else ""), text)
        if (self.peek() or "").lower() == "as":
            self.take()
            text = self.take()[1].strip("`")
        return text, value

    def named_list(self, stop: str | None = None) -> list[tuple[str, Value]]:
        items = [self.named()]
        while self.peek() == ",":
            self.take()
            items.append(self.named())
        if not self.at_end() and (self.peek() or "").lower() != stop:
            raise Unsupported(f"unexpected {self.peek()!r}")
        return items


def _named_groups(regex: str) -> list[tuple[str, int]]:
    """(name, capture index) of each named group of a /regex/."""
    out, index, i = [], 0, 0
    while i < len(regex):
        ch = regex[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "(":
            m = re.match(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>", regex[i:])
            if m:
                index += 1
                out.append((m.group(1), index))
            elif not regex.startswith("(?", i):
                index += 1
        i += 1
    return out


def to_sql(text: str, source: str) -> tuple[str, list[str]]:
    """The SQL of a query over ``source`` (a relation with one JSON column ``r``) and its columns."""
    stage = _Stage()
    relation, n = source, 0
    display: list[str] | None = None
    order: list[tuple[Value, str]] = []
    limit: int | None = None

    def wrap(select: str, tail: str = "") -> None:
        nonlocal relation, n, order, limit
        n += 1
        if limit is not None or tail:
            ordering = _order_by(order) if order else ""
            tail = tail or ""
            tail = f"{ordering}{tail}" + (f" LIMIT {limit}" if limit is not None else "")
            order, limit = [], None
        relation = f"(SELECT {select} FROM {relation}{tail}) AS s{n}"

    for cmd in commands(text):
        toks = tokens(cmd)
        name = toks[0][1].lower()
        p = _Parser(toks[1:], stage)
        if limit is not None and name != "limit":
            wrap("*")  # a command after limit reads the limited rows
        if name == "filter":
            cond = p.expr()
            if not p.at_end():
                raise Unsupported(f"unexpected {p.peek()!r} in filter")
            wrap("*", f" WHERE COALESCE(({cond.sql}), FALSE)")
        elif name in ("fields", "display"):
            items = p.named_list()
            new = {k: v for k, v in items if v.sql != _field(k, stage).sql or k in stage.defined}
            if new:
                cols = ", ".join(f"{v.sql} AS {_quote(k)}" for k, v in new.items())
                wrap(f"*, {cols}")
                for k, v in new.items():
                    stage.defined[k] = Value(_quote(k), v.kind)
            names = [k for k, _ in items]
            display = (
                names if name == "display" or display is None else display + [k for k in names if k not in display]
            )
        elif name == "stats":
            aggs = p.named_list(stop="by")
            groups: list[tuple[str, Value]] = []
            if (p.peek() or "").lower() == "by":
                p.take()
                groups = p.named_list()
            if not aggs or p.aggregates == 0:
                raise Unsupported("stats without an aggregate function")
            stat_columns = [*groups, *aggs]
            select = ", ".join(f"{v.sql} AS {_quote(k)}" for k, v in stat_columns)
            group_by = f" GROUP BY {', '.join(str(i + 1) for i in range(len(groups)))}" if groups else ""
            wrap(select, group_by)
            stage = _Stage({k: Value(_quote(k), v.kind) for k, v in stat_columns}, grouped=True)
            display = [k for k, _ in stat_columns]
            order = [(Value(_quote(k), v.kind), "ASC") for k, v in groups]
        elif name == "sort":
            order = []
            while not p.at_end():
                value = p.additive()
                direction = "ASC"
                if (p.peek() or "").lower() in ("asc", "desc"):
                    direction = p.take()[1].upper()
                order.append((value, direction))
                if p.peek() == ",":
                    p.take()
        elif name == "limit":
            kind, tok = p.take()
            if kind != "number" or not p.at_end():
                raise Unsupported(f"limit {tok}")
            limit = int(tok) if limit is None else min(limit, int(tok))
        elif name == "parse":
            src = _field(p.take()[1], stage)
            kind, tok = p.take()
            if kind != "regex" or not p.at_end():
                raise Unsupported("parse with a glob pattern (only parse <field> /regex with named groups/)")
            regex = tok[1:-1]
            groups_ = _named_groups(regex)
            plain = re.sub(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>", "(", regex)
            cols = ", ".join(
                f"NULLIF(regexp_extract(CAST({src.sql} AS VARCHAR), {_sql_text(plain)}, {i}), '') AS {_quote(g)}"
                for g, i in groups_
            )
            wrap(f"*, {cols}")
            for g, _ in groups_:
                stage.defined[g] = Value(_quote(g), "text")
        else:
            raise Unsupported(f"command {name!r}")

    columns = display or ["@timestamp", "@message"]
    select = ", ".join(f"{_field(c, stage).sql} AS {_quote(c)}" for c in columns)
    if not order and not stage.grouped:
        order = [(_field("@timestamp", stage), "DESC")]
    tail = _order_by(order) if order else ""
    if limit is not None:
        tail += f" LIMIT {limit}"
    kinds = [_field(c, stage).kind for c in columns]
    return f"SELECT {select} FROM {relation}{tail}", [f"{c}\t{k}" for c, k in zip(columns, kinds, strict=True)]


def _order_by(order: Sequence[tuple[Value, str]]) -> str:
    parts = []
    for value, direction in order:
        parts.append(f"{value.num} {direction} NULLS LAST")
        if value.kind not in ("num", "time"):
            parts.append(f"CAST({value.sql} AS VARCHAR) {direction} NULLS LAST")
    return " ORDER BY " + ", ".join(parts)
