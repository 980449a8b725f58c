"""The README is the front door, and the generated tables in the documents are current."""

from __future__ import annotations

import pytest

from scripts.doc_tables import BLOCKS, ROOT, render

MAX_README_LINES = 250
SCREEN = 50  # lines a reader sees before scrolling


@pytest.mark.parametrize("doc", sorted(BLOCKS))
def test_generated_blocks_are_current(doc: str) -> None:
    """Routes, alarms, cost and saved queries follow the catalogue, the alarm definitions and the files."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert render(doc, text) == text, f"{doc}'s generated tables are stale: run `make docs`"


def test_readme_is_short() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, (
        f"README.md has {len(lines)} lines (at most {MAX_README_LINES}): move the detail into docs/ or the "
        "folder it describes"
    )


def test_readme_first_screen_has_the_quick_start() -> None:
    """A newcomer sees how to run and test it without scrolling, and finds the layout and where a route's
    alarms, dashboard row and saved queries come from within the first 80 lines."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    screen = "\n".join(lines[:SCREEN])
    assert "## Quick start" in screen
    assert "make run" in screen
    assert "make test" in screen
    first = "\n".join(lines[:80])
    for needed in ("## Layout", "service/catalogue.py", "alarms", "dashboard row", "saved queries"):
        assert needed in first, f"README's first 80 lines do not mention {needed!r}"
