"""A small Logs Insights (QL) reader: which log fields does a query read?

Enough of the language for our queries: commands split on `|`, `#` comments, strings, regexes,
functions, `as` aliases, keywords. @-fields are CloudWatch's own and are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<regex>/(?:[^/\\\n]|\\.)+/)
  | (?P<number>\d+(?:\.\d+)?[a-zA-Z]*)
  | (?P<ident>`[^`]+`|@?[A-Za-z_][A-Za-z0-9_.\-]*(?<![-.]))
  | (?P<op>[=!<>]=?|=~|[(),*+\-/%\[\]])
  | (?P<ws>\s+)
    """,
    re.VERBOSE,
)
KEYWORDS = frozenset({"and", "or", "not", "by", "as", "asc", "desc", "in", "like", "true", "false", "null"})
COMMANDS_READING_FIELDS = frozenset({"fields", "filter", "stats", "sort", "display", "dedup", "parse"})


@dataclass(frozen=True)
class Comparison:
    field: str
    value: str  # string literal compared with ``field = "value"``


def strip_comments(text: str) -> str:
    out = []
    for line in text.splitlines():
        in_str: str | None = None
        cut = len(line)
        for i, ch in enumerate(line):
            if in_str:
                if ch == in_str:
                    in_str = None
            elif ch in "\"'":
                in_str = ch
            elif ch == "#":
                cut = i
                break
        out.append(line[:cut])
    return "\n".join(out)


def commands(text: str) -> list[str]:
    """Split on `|` outside strings."""
    body = strip_comments(text)
    parts, buf, in_str = [], [], None
    for ch in body:
        if in_str:
            in_str = None if ch == in_str else in_str
        elif ch in "\"'":
            in_str = ch
        elif ch == "|":
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf))
    return [p.strip() for p in parts if p.strip()]


def tokens(command: str) -> list[tuple[str, str]]:
    out = []
    pos = 0
    while pos < len(command):
        m = _TOKEN.match(command, pos)
        if not m:
            raise ValueError(f"cannot tokenize {command[pos:]!r}")
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append((kind, m.group()))
        pos = m.end()
    return out


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
