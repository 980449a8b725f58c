"""The README's generated parts are current."""

from __future__ import annotations

from scripts.readme_routes import README, render


def test_readme_route_table_matches_the_catalogue() -> None:
    text = README.read_text()
    assert render(text) == text, "README.md's route table is stale: run `make docs`"
