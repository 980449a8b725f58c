"""The documents stay true to the repository: README.md, RUNBOOK.md, every page in docs/ and every folder's
README.md. Every link and anchor resolves, every repository path they name exists, every `make` target they
show exists, the configuration table is settings/config.py's keys, and the README's layout is the tree's.

Documents drift silently when code moves (a renamed heading, a moved file, a new context key); these
checks make that drift a failing test instead of a reader's dead end.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from settings.config import CONTEXT_KEYS, DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
# Never documents of this project: tool output and installed packages.
_SKIP_DIRS = {"node_modules", "cdk.out"}


def documents() -> list[str]:
    """README.md, RUNBOOK.md, docs/*.md and every folder's README.md, relative to the root."""
    found = []
    for directory, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        base = Path(directory).relative_to(ROOT)
        for name in sorted(files):
            if name == "README.md" or (base == Path("docs") and name.endswith(".md")):
                found.append((base / name).as_posix())
    return ["RUNBOOK.md", *found]


DOCS = documents()

# [text](target): markdown links, not images' alt text or code spans (stripped first).
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_CODE_SPAN = re.compile(r"`([^`\n]*)`")
_EXTERNAL = ("http://", "https://", "mailto:")


def _text(doc: str) -> str:
    return (ROOT / doc).read_text(encoding="utf-8")


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
    return _LINK.findall(_prose(_text(doc)))


def _target(doc: str, path: str) -> Path:
    """A link's file: relative to the linking document's folder, as GitHub resolves it."""
    return (ROOT / doc).parent / path if path else ROOT / doc


def test_documents_are_found() -> None:
    assert {"README.md", "RUNBOOK.md", "docs/deploy.md", "queries/README.md", "dashboards/README.md"} <= set(DOCS)


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
        if target.startswith(_EXTERNAL) or "#" not in target:
            continue
        path, anchor = target.split("#", 1)
        file = _target(doc, path)
        if not file.is_file() or anchor not in anchors(file.read_text(encoding="utf-8")):
            broken.append(target)
    assert not broken, f"{doc}: links to anchors that do not exist: {broken}"


@pytest.mark.parametrize("doc", DOCS)
def test_every_linked_repository_path_exists(doc: str) -> None:
    missing = [
        target
        for target in links(doc)
        if not target.startswith((*_EXTERNAL, "#")) and not _target(doc, target.split("#", 1)[0]).exists()
    ]
    assert not missing, f"{doc}: links to paths that do not exist: {missing}"


# A code span that names a repository path: `service/catalogue.py`, `queries/route/*.query.tmpl`, `tests/cloudfront_functions/`.
_PATH = re.compile(r"[\w.-]+(/[\w.*-]+)*/?")
_FILE = re.compile(r"[\w-]+\.(py|js|md|json|txt|toml|query|tmpl)")


def named_paths(doc: str) -> list[str]:
    """Code spans (outside fenced blocks) that name a path in the repository: their first segment is an
    entry of the root or of the document's folder (so `application/json` or `/aws/lambda/x` are not),
    or a file name with a source extension. Placeholders (`<name>`, `{id}`) are not paths."""
    bases = {p.name for p in ROOT.iterdir()} | {p.name for p in (ROOT / doc).parent.iterdir()}
    out = []
    for span in _CODE_SPAN.findall(_FENCE.sub("", _text(doc))):
        # Generated folders (node_modules, cdk.out) exist only after a make target ran: not checked.
        if not _PATH.fullmatch(span) or _SKIP_DIRS & set(span.split("/")):
            continue
        if ("/" in span and span.split("/", 1)[0] in bases) or _FILE.fullmatch(span):
            out.append(span)
    return out


def _exists(doc: str, path: str) -> bool:
    """At the root or next to the document; a bare file name may also sit in a subfolder of the
    document's folder ("`support/` holds `handler.py`, ...")."""
    folder = (ROOT / doc).parent
    if any(any(base.glob(path)) if "*" in path else (base / path).exists() for base in (ROOT, folder)):
        return True
    return "/" not in path and folder != ROOT and any(folder.rglob(path))


@pytest.mark.parametrize("doc", DOCS)
def test_every_path_named_exists(doc: str) -> None:
    """A path in a code span (`service/catalogue.py`, `bench/child.py`) exists, at the root or next to the
    document: a moved or renamed file fails here, not in a reader's shell."""
    missing = sorted({p for p in named_paths(doc) if not _exists(doc, p)})
    assert not missing, f"{doc}: names paths that do not exist: {missing}"


def test_named_paths_are_recognised() -> None:
    # What the path test looks at, so that it cannot pass by seeing nothing.
    assert {"service/catalogue.py", "queries/route/"} <= set(named_paths("README.md"))
    assert "child.py" in named_paths("bench/README.md")
    assert not {"application/json", "GET /orders/{order_id}"} & set(named_paths("docs/api.md"))


def _make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


def _shown_targets(text: str) -> set[str]:
    shown = set(re.findall(r"\bmake ([a-z][a-z-]*)\b", text))
    return shown | {
        t for cell in re.findall(r"`make [a-z-]+` / ([^|]+)\|", text) for t in re.findall(r"`([a-z-]+)`", cell)
    }


def test_every_make_command_shown_exists() -> None:
    """`make X` in any document (prose, tables and code blocks) names a Makefile target, and the README's
    command table shows every target with a help text."""
    targets = _make_targets()
    for doc in DOCS:
        wrong = _shown_targets(_text(doc)) - targets
        assert not wrong, f"{doc} shows make targets the Makefile lacks: {sorted(wrong)}"
    helped = set(re.findall(r"^([a-z][a-z-]*):.*## ", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))
    commands = _text("README.md").split("## Commands", 1)[1].split("\n## ", 1)[0]
    unshown = helped - _shown_targets(commands)
    assert not unshown, f"Makefile targets the README's command table never mentions: {sorted(unshown)}"


def _layout() -> dict[str, str]:
    """The README's layout block: top-level name -> the rest of its line."""
    section = _text("README.md").split("## Layout", 1)[1]
    block = _FENCE.search(section)
    assert block, "README's Layout has no fenced block"
    rows = re.findall(r"^([\w.-]+/?)\s+(.+)$", block.group(0), re.M)
    return {name.rstrip("/"): line for name, line in rows}


def _layout_paths(name: str, line: str) -> list[str]:
    """Paths a layout line names inside its folder (`units/`, `plan.py`) or from the root (`tests/cloudfront_functions/`)."""
    if not (ROOT / name).is_dir():
        return []
    words = re.findall(r"(?<![\w/.-])[\w-]+(?:/[\w-]+)*(?:\.py|\.js|/)(?![\w/.-])", line)
    return [w if w.startswith(f"{name}/") else f"{name}/{w}" for w in words]


def test_layout_is_the_tree() -> None:
    """Every top-level folder the repository tracks has its line in the README's layout, and every line
    names something that exists: the folder, and the files and subfolders it names."""
    layout = _layout()
    assert "service/catalogue.py" in [p for n, line in layout.items() for p in _layout_paths(n, line)]
    missing = [name for name in layout if not (ROOT / name).exists()]
    missing += [p for n, line in layout.items() for p in _layout_paths(n, line) if not (ROOT / p).exists()]
    assert not missing, f"README's layout names what does not exist: {missing}"
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked folders are unknown")
    tracked = subprocess.run(
        [git, "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    folders = {p.split("/", 1)[0] for p in tracked if "/" in p and not p.startswith(".")}
    unlisted = sorted(folders - set(layout))
    assert not unlisted, f"top-level folders missing from README's layout: {unlisted}"


def _config_rows() -> dict[str, list[str]]:
    """The configuration table (docs/configuration.md): key -> [default cell, meaning] (a key twice fails)."""
    rows: dict[str, list[str]] = {}
    for key, default, meaning in re.findall(
        r"^\| `([a-z_]+)` \| (.*?) \| (.*) \|$", _text("docs/configuration.md"), re.M
    ):
        assert key not in rows, f"the configuration table lists {key} twice"
        rows[key] = [default, meaning]
    return rows


def _shown(value: object) -> str:
    return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value)}`"


def test_configuration_table_is_the_declared_settings() -> None:
    """Every configuration key (settings/config.py, and only those) is in the configuration table once, with
    its declared default; cdk.json's context repeats none of them (it holds the feature flags)."""
    context = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    keys = set(CONTEXT_KEYS)
    rows = _config_rows()
    assert set(rows) == keys, (
        f"configuration table vs settings/config.py: only in the table {sorted(set(rows) - keys)}, "
        f"only in settings/config.py {sorted(keys - set(rows))}"
    )
    assert not {k.removeprefix("//") for k in context} & keys, "cdk.json repeats a key's default or note"
    wrong = {k: (rows[k][0], _shown(v)) for k, v in DEFAULTS.items() if rows[k][0] != _shown(v)}
    assert not wrong, f"documented defaults differ from settings/config.py (docs, code): {wrong}"
    # Documented exactly once: no other table row in any document documents a context key.
    twice = [k for k in keys if sum(_text(doc).count(f"| `{k}` |") for doc in DOCS) != 1]
    assert not twice, f"context keys with more than one table row across the documents: {twice}"


def test_dashboard_table_names_every_section() -> None:
    """Alarm descriptions send on-call to a dashboard section by its title; the reading guide in
    dashboards/README.md must use the same titles."""
    from observability import sections

    rows = set(re.findall(r"^\| ([^|]+?) \|", _text("dashboards/README.md"), re.M)) - {"Section", "---"}
    titles = {v for k, v in vars(sections).items() if k.isupper() and isinstance(v, str)}
    assert titles <= rows, f"dashboard sections missing from the reading guide: {sorted(titles - rows)}"
    assert rows - titles <= {"Header"}, (
        f"the reading guide names sections the dashboard lacks: {sorted(rows - titles - {'Header'})}"
    )


def test_every_saved_query_is_in_the_query_table() -> None:
    # Query keys are the file names (queries/<log group>/<key>.query, '_' read as '-'); per-route
    # templates are documented by their pattern.
    keys = [p.stem.replace("_", "-") for p in sorted((ROOT / "queries").glob("*/*.query"))]
    assert keys
    table = _text("queries/README.md")
    missing = [k for k in keys if f"| `{k}` |" not in table]
    assert not missing, f"saved queries missing from queries/README.md: {missing}"
