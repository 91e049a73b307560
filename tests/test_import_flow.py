"""Imports go one way (README "Layout"): reports -> indicators -> rounds -> institutions ->
accounts, themes. The route (themes) is at the bottom: none of its modules imports the rooms
above it, at module level or inside a function."""

import ast
from pathlib import Path

from django.conf import settings

THEMES = Path(settings.BASE_DIR) / "themes"
ABOVE_THEMES = ("indicators", "reports", "rounds")


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module an import statement names, anywhere in the tree (functions included)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            # "from . import x" has no module; "from indicators import needed" names the room.
    return found


def _dynamic_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """importlib.import_module("indicators...") and __import__("indicators..."): the same
    dependency, only hidden."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        argument = node.args[0]
        if name in ("import_module", "__import__") and isinstance(argument, ast.Constant):
            found.append((node.lineno, str(argument.value)))
    return found


def _is_above_themes(module: str) -> bool:
    return module.split(".")[0] in ABOVE_THEMES


def test_the_walker_finds_imports_inside_functions():
    tree = ast.parse(
        "def f():\n    from indicators.models import Snapshot\n"
        "def g():\n    import reports.tables\n"
        "def h():\n    importlib.import_module('rounds.queries')\n"
    )
    found = [module for _, module in [*_imported_modules(tree), *_dynamic_imports(tree)]]
    assert found == ["indicators.models", "reports.tables", "rounds.queries"]


def test_no_module_under_themes_imports_indicators_reports_or_rounds():
    files = sorted(THEMES.rglob("*.py"))
    assert THEMES / "needed.py" in files and len(files) > 10
    wrong = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in [*_imported_modules(tree), *_dynamic_imports(tree)]:
            if _is_above_themes(module):
                wrong.append(f"{path.relative_to(settings.BASE_DIR)}:{line} imports {module}")
    assert not wrong, wrong
