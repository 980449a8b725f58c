"""Every failure-mode row names what it assumes about AWS: documented ones cite an AWS documentation page,
assumed ones say how an operator confirms them in their own account; RUNBOOK.md shows them all."""

from __future__ import annotations

import pytest

from observability.alarm_docs import render_markdown
from observability.assumptions import ASSUMPTIONS, Assumption
from observability.failure_modes import MODES


def test_every_row_names_at_least_one_assumption_and_no_unknown_row_has_any() -> None:
    rows = {m.row for m in MODES}
    assert all(ASSUMPTIONS.get(row) for row in rows), sorted(r for r in rows if not ASSUMPTIONS.get(r))
    assert set(ASSUMPTIONS) <= rows


@pytest.mark.parametrize("assumption", sorted({a for group in ASSUMPTIONS.values() for a in group}, key=str))
def test_documented_ones_cite_aws_docs_and_assumed_ones_say_how_to_confirm(assumption: Assumption) -> None:
    if assumption.documented:
        assert (assumption.source or "").startswith("https://docs.aws.amazon.com/")
    else:
        assert "aws " in assumption.confirm or "curl " in assumption.confirm  # a concrete CLI step


def test_an_assumption_is_either_documented_or_confirmable() -> None:
    with pytest.raises(ValueError, match="documented one has a source"):
        Assumption("says nothing")
    with pytest.raises(ValueError, match="documented one has a source"):
        Assumption("both", "https://docs.aws.amazon.com/x", confirm="aws y")


def test_the_runbook_shows_each_assumption_with_its_page_or_its_confirmation() -> None:
    text = render_markdown()
    for a in {a for group in ASSUMPTIONS.values() for a in group}:
        assert a.behaviour in text
        assert (a.source or a.confirm) in text
    assert "| l | " in text  # every row has its line, the new one included
