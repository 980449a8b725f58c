"""Issue 18's doc lines: a "Before production" section near the top of the deploy docs, WAF bodies
described as WAF sends them, and one time per make target."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from settings.config import CONTEXT_KEYS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NEAR_THE_TOP = 12  # lines: after the page's short introduction, before anything else

# What a production deploy must decide, and the context keys that set it.
BEFORE_PRODUCTION = {
    "custom domain": ("domain_name", "certificate_arn"),
    "TLS 1.2": ("domain_name",),
    "API keys": ("api_keys",),
    "reserved concurrency": ("reserved_concurrency",),
    "retention": ("log_retention_days",),
    "runbook URL": ("runbook_url",),
    "SNS": ("alarm_email",),
}


def _before_production() -> str:
    text = DEPLOY_DOC.read_text()
    start = text.index("## Before production")
    return text[start : text.index("\n## ", start + 1)]


def test_before_production_is_near_the_top_of_the_deploy_docs() -> None:
    lines = DEPLOY_DOC.read_text().splitlines()
    headings = [i for i, line in enumerate(lines) if line.startswith("## ")]
    assert lines[headings[0]] == "## Before production", "the first section of docs/deploy.md"
    assert headings[0] < NEAR_THE_TOP


@pytest.mark.parametrize("item", BEFORE_PRODUCTION)
def test_before_production_names_each_item_with_its_context_key(item: str) -> None:
    rows = [line for line in _before_production().splitlines() if item.lower() in line.lower()]
    assert rows, f"'Before production' misses {item}"
    for key in BEFORE_PRODUCTION[item]:
        assert key in CONTEXT_KEYS
        assert any(f"`{key}`" in row for row in rows), f"{item}: no `{key}` on its line"


def test_waf_answers_are_not_called_problem_json() -> None:
    """WAF custom responses can only declare application/json (stacks/edge/waf.py): no doc line about
    a WAF rule's answer may say problem+json."""
    waf_rules = ("GeoRestriction", "RateLimitPerIp", "RateLimitPerApiKey", "BodyTooLarge")
    wrong = [
        f"{doc.name}: {line.strip()[:120]}"
        for doc in DOCS
        for line in doc.read_text().splitlines()
        if "problem+json" in line and any(rule in line for rule in waf_rules)
    ]
    assert not wrong
    assert 'content_type="APPLICATION_JSON"' in (ROOT / "stacks/edge/waf.py").read_text()


def test_each_make_target_quotes_one_time() -> None:
    """`make help` and the docs' command table quote the same time for a target, if any."""
    makefile = (ROOT / "Makefile").read_text()
    help_times = {
        m.group(1): set(re.findall(r"about (\d+) s", m.group(2)))
        for m in re.finditer(r"^([a-z-]+):.*## (.*)$", makefile, re.M)
    }
    docs = "\n".join(doc.read_text() for doc in DOCS)
    for target, times in help_times.items():
        doc_times = {
            t
            for row in re.findall(rf"^\| `make {target}` \|(.*)$", docs, re.M)
            for t in re.findall(r"about (\d+) s", row)
        }
        assert len(times) <= 1, f"make help quotes several times for {target}"
        if times or doc_times:
            assert times == doc_times, f"make {target}: make help says {times}, the docs {doc_times}"
    assert help_times["test-fast"], "the inner loop quotes its time"
