"""Tests are findable by path (tests/README.md, "Where a test lives"):

- no test module imports another test module: what tiers share lives in ``tests/support`` (a test module's
  helpers that another needs move there), and a ``conftest.py`` is only read by pytest;
- a unit test sits under the mirrored path of the folder it tests: ``tests/unit/observability/simulator/``
  holds the tests of ``observability/simulator/`` and each of them imports a module of
  ``observability.simulator`` (a folder that is no package, ``canary/python``, is named by its path
  instead); ``tests/unit/support/`` mirrors ``tests/support/``. A file directly in ``tests/unit/``
  checks the project as a whole (the import graph, this layout) and imports no product module."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import ROOT

SHARED = "tests.support"


def imported_modules(source: str) -> set[str]:
    """Every module a file imports, absolute names; a relative import is returned as ``.name``."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                out.add("." * node.level + (node.module or ""))
            elif node.module == "tests":  # from tests import unit: a module of the package, by name
                out |= {f"tests.{alias.name}" for alias in node.names}
            elif node.module:
                out.add(node.module)
    return out


def import_problems(tests: Path) -> list[str]:
    problems = []
    for path in sorted(tests.rglob("*.py")):
        rel = path.relative_to(tests.parent).as_posix()
        for module in sorted(imported_modules(path.read_text())):
            if module.startswith("."):
                problems.append(f"{rel}: relative import {module!r}: import tests.support.<module> by its full name")
            elif (module == "tests" or module.startswith("tests.")) and not (
                module == SHARED or module.startswith(SHARED + ".")
            ):
                problems.append(
                    f"{rel}: imports {module}, a test module: move what it shares to tests/support/ and import that"
                )
    return problems


def product_packages(root: Path) -> set[str]:
    """Top-level folders of the project that hold Python (the packages the tiers test), tests excluded."""
    return {
        p.name
        for p in root.iterdir()
        if p.is_dir()
        and not p.name.startswith(".")
        and p.name not in {"tests", "node_modules"}
        and any(p.rglob("*.py"))
    }


def mirrored(parts: tuple[str, ...]) -> tuple[Path, str]:
    """The folder that tests/unit/<parts>/ mirrors, relative to the root, and its dotted module prefix."""
    folder = ("tests", *parts) if parts[0] == "support" else parts
    return Path(*folder), ".".join(folder)


def placement_problems(root: Path) -> list[str]:
    unit = root / "tests" / "unit"
    packages = product_packages(root)
    problems = []
    for path in sorted(unit.rglob("test_*.py")):
        rel = path.relative_to(root).as_posix()
        parts = path.parent.relative_to(unit).parts
        modules = imported_modules(path.read_text())
        if not parts:
            product = sorted(m for m in modules if m.split(".")[0] in packages)
            if product:
                problems.append(
                    f"{rel}: imports {', '.join(product)}: a test of one package goes under tests/unit/<its path>/ "
                    "(directly in tests/unit/ only what checks the project as a whole)"
                )
            continue
        folder, prefix = mirrored(parts)
        if not (root / folder).is_dir():
            problems.append(f"{rel}: {folder.as_posix()}/ does not exist: tests/unit/ mirrors the project's folders")
        elif not any(m == prefix or m.startswith(prefix + ".") for m in modules) and (
            folder.as_posix() + "/" not in path.read_text()
        ):
            problems.append(
                f"{rel}: imports nothing of {prefix}: move it under tests/unit/<path of the package it tests>/"
            )
    return problems


def test_no_test_module_imports_another() -> None:
    assert import_problems(ROOT / "tests") == []


def test_unit_tests_sit_under_the_path_of_the_package_they_test() -> None:
    assert placement_problems(ROOT) == []


def test_the_layout_checks_name_each_misplaced_file(tmp_path: Path) -> None:
    """The checks can fail: a test importing another, one in a folder that mirrors nothing, one in the wrong
    package's folder, one directly in tests/unit/ that tests a package."""
    (tmp_path / "observability").mkdir()
    (tmp_path / "observability" / "plan.py").write_text("")
    unit = tmp_path / "tests" / "unit"
    (unit / "observability").mkdir(parents=True)
    (unit / "nowhere").mkdir()
    (unit / "observability" / "test_ok.py").write_text("from observability.plan import plan\n")
    (unit / "observability" / "test_elsewhere.py").write_text("from service import catalogue\n")
    (unit / "nowhere" / "test_lost.py").write_text("import observability\n")
    (unit / "test_loose.py").write_text("from observability import plan\n")
    (unit / "test_borrows.py").write_text("from tests.unit.observability.test_ok import x\nfrom . import y\n")

    assert placement_problems(tmp_path) == [
        "tests/unit/nowhere/test_lost.py: nowhere/ does not exist: tests/unit/ mirrors the project's folders",
        "tests/unit/observability/test_elsewhere.py: imports nothing of observability: move it under "
        "tests/unit/<path of the package it tests>/",
        "tests/unit/test_loose.py: imports observability: a test of one package goes under tests/unit/<its path>/ "
        "(directly in tests/unit/ only what checks the project as a whole)",
    ]
    assert import_problems(tmp_path / "tests") == [
        "tests/unit/test_borrows.py: relative import '.': import tests.support.<module> by its full name",
        "tests/unit/test_borrows.py: imports tests.unit.observability.test_ok, a test module: move what it "
        "shares to tests/support/ and import that",
    ]
