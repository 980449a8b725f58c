"""Logs Insights query text -> commands -> tokens (the lexer of :mod:`local.insights`)."""

from __future__ import annotations

import re


class Unsupported(ValueError):
    """A query construct this interpreter does not run (the message names it)."""


_TOKEN = re.compile(
    r"""
    (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<regex>/(?:[^/\\\n]|\\.)+/)
  | (?P<number>\d+(?:\.\d+)?(?:ms|s|m|h|d|w)?)
  | (?P<ident>`[^`]+`|@?[A-Za-z_][A-Za-z0-9_.\-]*(?<![-.]))
  | (?P<op>!=|<=|>=|=~|[=<>(),*+\-/%\[\]])
  | (?P<ws>\s+)
    """,
    re.VERBOSE,
)
_UNITS_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _regex_starts(text: str, i: int) -> bool:
    """Does the ``/`` at ``text[i]`` open a /regex/? A regex starts right after it; a division, written
    ``a / b`` as the project's queries do, has a space after it."""
    return i + 1 < len(text) and not text[i + 1].isspace()


def strip_comments(text: str) -> str:
    """The query without ``#`` comments (a ``#`` inside a string or regex stays)."""
    out = []
    for line in text.splitlines():
        quote: str | None = None
        cut = len(line)
        for i, ch in enumerate(line):
            if quote:
                if ch == quote and line[i - 1] != "\\":
                    quote = None
            elif ch in "\"'" or (ch == "/" and _regex_starts(line, i)):
                quote = ch
            elif ch == "#":
                cut = i
                break
        out.append(line[:cut])
    return "\n".join(out)


def commands(text: str) -> list[str]:
    """The query's commands: split on ``|`` outside strings and regexes."""
    parts: list[str] = []
    buf: list[str] = []
    quote: str | None = None
    body = strip_comments(text)
    for i, ch in enumerate(body):
        if quote:
            quote = None if ch == quote and (not buf or buf[-1] != "\\") else quote
        elif ch in "\"'" or (ch == "/" and _regex_starts(body, i)):
            quote = ch
        elif ch == "|":
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf))
    return [p.strip() for p in parts if p.strip()]


def tokens(command: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(command):
        m = _TOKEN.match(command, pos)
        if m and m.lastgroup == "regex" and not _regex_starts(command, pos):
            m = None
        if m is None and command[pos] == "/":
            out.append(("op", "/"))  # a division
            pos += 1
            continue
        if not m:
            raise Unsupported(f"cannot read {command[pos:][:30]!r}")
        if m.lastgroup != "ws":
            out.append((m.lastgroup or "", m.group()))
        pos = m.end()
    return out
