"""Which log fields does a Logs Insights query read? (The contract tests ask.)

It reads queries with the local interpreter's own reader (local/insights/: commands split on `|`, `#`
comments, strings, regexes, functions, `as` aliases, keywords), so there is one reading of the language.
@-fields are CloudWatch's own and are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from local.insights import commands, tokens

KEYWORDS = frozenset({"and", "or", "not", "by", "as", "asc", "desc", "in", "like", "true", "false", "null"})
COMMANDS_READING_FIELDS = frozenset({"fields", "filter", "stats", "sort", "display", "dedup", "parse"})


@dataclass(frozen=True)
class Comparison:
    field: str
    value: str  # string literal compared with ``field = "value"``


def read_fields(text: str) -> set[str]:
    """Log fields the query reads (not @-fields, not aliases it defines, not functions)."""
    fields: set[str] = set()
    aliases: set[str] = set()
    for cmd in commands(text):
        toks = tokens(cmd)
        if not toks or toks[0][1] not in COMMANDS_READING_FIELDS:
            continue
        for i, (kind, tok) in enumerate(toks[1:], start=1):
            if kind == "regex" and toks[0][1] == "parse":
                # `parse @message /... (?<name>...) .../` defines the fields its named groups capture.
                aliases.update(re.findall(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", tok))
            if kind != "ident":
                continue
            name = tok.strip("`")
            prev = toks[i - 1][1].lower()
            nxt = toks[i + 1][1] if i + 1 < len(toks) else ""
            if name.lower() in KEYWORDS or name.startswith("@") or nxt == "(":
                continue
            if prev == "as":
                aliases.add(name)
                continue
            if name not in aliases:
                fields.add(name)
    return fields


def equality_literals(text: str) -> set[Comparison]:
    """``field = "literal"`` pairs in filter commands (the values a query expects to find)."""
    out = set()
    for cmd in commands(text):
        toks = tokens(cmd)
        if not toks or toks[0][1] != "filter":
            continue
        for i in range(1, len(toks) - 2):
            (k1, f), (_, op), (k3, v) = toks[i], toks[i + 1], toks[i + 2]
            if k1 == "ident" and op == "=" and k3 == "string":
                out.add(Comparison(f.strip("`"), v[1:-1]))
    return out
