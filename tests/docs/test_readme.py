"""The README's generated parts are current."""

from __future__ import annotations

from scripts.readme import README, render


def test_readme_generated_blocks_are_current() -> None:
    """The route table and the cost table follow the catalogue and the alarm definitions."""
    text = README.read_text()
    assert render(text) == text, "README.md's generated tables are stale: run `make docs`"
