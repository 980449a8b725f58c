"""Regenerate README.md's route table from the catalogue: `python -m scripts.readme_routes`.

A test runs `render()` and fails when README.md's block differs, so the README cannot drift
from the routes the service actually serves.
"""

from __future__ import annotations

import re
from pathlib import Path

from service.catalogue import ROUTES

README = Path(__file__).resolve().parents[1] / "README.md"
BEGIN, END = "<!-- BEGIN routes (generated: make docs) -->", "<!-- END routes -->"


def table() -> str:
    rows = [
        "| route | name | what it does | SLO: latency | SLO: availability |",
        "|---|---|---|---|---|",
    ]
    for r in ROUTES:
        rows.append(
            f"| `{r.label}` | `{r.name}` | {r.summary} | {r.slo.percentile_stat} <= {r.slo.latency_ms} ms "
            f"| {r.slo.availability * 100:g} % |"
        )
    return "\n".join(rows)


def render(readme: str) -> str:
    block = f"{BEGIN}\n{table()}\n{END}"
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(readme):
        raise SystemExit(f"README.md has no {BEGIN} ... {END} block")
    return pattern.sub(lambda _: block, readme)


def main() -> None:
    README.write_text(render(README.read_text()))


if __name__ == "__main__":
    main()
