"""CloudWatch Logs Insights (QL) over the local log group, on DuckDB.

A saved query is translated, command by command, into one DuckDB SQL statement over the recorded JSON
lines (``local.telemetry``: one event per line, ``@timestamp`` in ms, ``@message``, discovered fields).
DuckDB does the reading, filtering, grouping, percentiles and sorting; this module only translates.

Supported, as the project's queries use them (an unsupported command, function or operator raises
:class:`Unsupported` naming it):

- commands ``filter``, ``fields`` (``expr as name``), ``display``, ``stats ... by ...``, ``sort``,
  ``limit``, ``parse <field> /regex with (?<named> groups)/``;
- operators ``and or not``, ``= != < <= > >=``, ``like`` / ``=~`` (a /regex/ or a substring), ``in [...]``,
  ``+ - * /``; fields by name (nested ``a.b``), @-fields, backquoted names;
- functions ``ispresent isempty bin tolower toupper strlen abs floor ceil concat coalesce`` and the
  aggregates ``count(*) count count_distinct sum avg min max pct``.

Values follow Logs Insights: a field is text, compared as a number against a number (``true`` reads as 1);
``pct(f, p)`` is the nearest-rank percentile (DuckDB ``quantile_disc``), as the alarm simulator computes
CloudWatch's; ``bin(5m)`` floors ``@timestamp``. Without ``sort``, rows come newest first (stats results
by their groups), as the console shows them.
"""

from local.insights.lexer import Unsupported, commands, strip_comments, tokens
from local.insights.runner import Result, run, saved_query
from local.insights.translate import to_sql

__all__ = ["Result", "Unsupported", "commands", "run", "saved_query", "strip_comments", "to_sql", "tokens"]
