"""README.md and RUNBOOK.md stay true to the repository: every internal link resolves, every linked
path exists, every `make` target they show exists, and the configuration table is cdk.json's context.

Documents drift silently when code moves (a renamed heading, a moved file, a new context key); these
checks make that drift a failing test instead of a reader's dead end.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stacks.config import CONTEXT_KEYS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("README.md", "RUNBOOK.md")

# [text](target): markdown links, not images' alt text or code spans (stripped first).
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_CODE_SPAN = re.compile(r"`[^`\n]*`")


def _prose(text: str) -> str:
    """The text outside fenced blocks and code spans, where a link is a link."""
    return _CODE_SPAN.sub("", _FENCE.sub("", text))


def _slug(heading: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped (but '-' and '_'), spaces to '-'."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor a document defines: its headings' slugs (GitHub numbers duplicates) and <a id>."""
    out: set[str] = set(re.findall(r'<a id="([^"]+)"', text))
    seen: dict[str, int] = {}
    for line in _FENCE.sub("", text).splitlines():
        match = re.match(r"#{1,6} (.+)", line)
        if not match:
            continue
        slug = _slug(match.group(1))
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def links(doc: str) -> list[str]:
    return _LINK.findall(_prose((ROOT / doc).read_text(encoding="utf-8")))


def test_slug_follows_github() -> None:
    assert _slug("Deploy: infrastructure (AWS CDK)") == "deploy-infrastructure-aws-cdk"
    assert _slug("SnapStart (`snap_start`)") == "snapstart-snap_start"
    assert _slug("Replacements and stale references (`make verify`)") == (
        "replacements-and-stale-references-make-verify"
    )
    assert anchors("# A\n## A\n") == {"a", "a-1"}


@pytest.mark.parametrize("doc", DOCS)
def test_every_anchor_link_resolves(doc: str) -> None:
    """`](#x)` within a document and `](OTHER.md#x)` across documents point at a heading or <a id>."""
    broken = []
    for target in links(doc):
        if target.startswith(("http://", "https://", "mailto:")) or "#" not in target:
            continue
        path, anchor = target.split("#", 1)
        file = path or doc
        if not (ROOT / file).is_file():
            broken.append(target)  # reported by the path test too, but an anchor into nothing is broken
            continue
        if anchor not in anchors((ROOT / file).read_text(encoding="utf-8")):
            broken.append(target)
    assert not broken, f"{doc}: links to anchors that do not exist: {broken}"


@pytest.mark.parametrize("doc", DOCS)
def test_every_linked_repository_path_exists(doc: str) -> None:
    missing = [
        target
        for target in links(doc)
        if not target.startswith(("http://", "https://", "mailto:", "#"))
        and not (ROOT / target.split("#", 1)[0]).exists()
    ]
    assert not missing, f"{doc}: links to paths that do not exist: {missing}"


def _make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))


def test_every_make_command_shown_exists() -> None:
    """`make X` in the README (prose, tables and code blocks) names a Makefile target, and every target
    with a help text is shown somewhere."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = _make_targets()
    shown = set(re.findall(r"\bmake ([a-z][a-z-]*)\b", text))
    shown |= {t for cell in re.findall(r"`make [a-z-]+` / ([^|]+)\|", text) for t in re.findall(r"`([a-z-]+)`", cell)}
    assert shown - targets == set(), f"README shows make targets the Makefile lacks: {sorted(shown - targets)}"
    helped = set(re.findall(r"^([a-z][a-z-]*):.*## ", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))
    assert helped - shown == set(), f"Makefile targets the README never mentions: {sorted(helped - shown)}"


def _config_rows() -> dict[str, list[str]]:
    """The README configuration table: key -> [default cell, meaning] (a key twice fails)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Configuration", 1)[1].split("\n#", 1)[0]
    rows: dict[str, list[str]] = {}
    for key, default, meaning in re.findall(r"^\| `([a-z_]+)` \| (.*?) \| (.*) \|$", section, re.M):
        assert key not in rows, f"README configuration table lists {key} twice"
        rows[key] = [default, meaning]
    return rows


def _shown(value: object) -> str:
    return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value)}`"


def test_configuration_table_is_cdk_json_context() -> None:
    """Every cdk.json context key (and only those) is in the README table once, with cdk.json's default,
    and config.py knows exactly the same keys."""
    context = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    keys = {k for k in context if not k.startswith(("//", "@"))}
    notes = {k[2:] for k in context if k.startswith("//") and k != "//"}
    rows = _config_rows()
    assert set(rows) == keys, (
        f"README table vs cdk.json: only in README {sorted(set(rows) - keys)}, only in cdk.json {sorted(keys - set(rows))}"
    )
    assert set(CONTEXT_KEYS) == keys, "stacks/config.py CONTEXT_KEYS and cdk.json's context differ"
    assert notes == keys, f"cdk.json keys without a //note or notes without a key: {sorted(notes ^ keys)}"
    wrong = {k: (rows[k][0], _shown(v)) for k, v in context.items() if k in keys and rows[k][0] != _shown(v)}
    assert not wrong, f"README defaults differ from cdk.json (README, cdk.json): {wrong}"
    # Documented exactly once: no other README table row documents a context key.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    twice = [k for k in keys if text.count(f"| `{k}` |") != 1]
    assert not twice, f"context keys with more than one README table row: {twice}"


def test_dashboard_table_names_every_section() -> None:
    """Alarm descriptions send on-call to a dashboard section by its title; the README's reading guide
    must use the same titles."""
    from observability import sections

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = text.split("### The dashboard", 1)[1].split("\n#", 1)[0]
    rows = set(re.findall(r"^\| ([^|]+?) \|", guide, re.M)) - {"Section", "---"}
    titles = {v for k, v in vars(sections).items() if k.isupper() and isinstance(v, str)}
    assert titles <= rows, f"dashboard sections missing from README's guide: {sorted(titles - rows)}"
    assert rows - titles <= {"Header"}, (
        f"README's guide names sections the dashboard lacks: {sorted(rows - titles - {'Header'})}"
    )


def test_every_saved_query_is_in_the_readme_table() -> None:
    # Query keys are the file names (queries/<log group>/<key>.query, '_' read as '-'); per-route
    # templates are documented by their pattern.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    keys = [p.stem.replace("_", "-") for p in sorted((ROOT / "queries").glob("*/*.query"))]
    assert keys
    missing = [k for k in keys if f"| `{k}` |" not in readme]
    assert not missing, f"saved queries missing from README's query table: {missing}"
