"""Imports go one way (README "How the code is laid out"): reports -> indicators -> rounds ->
institutions -> accounts, themes. A room imports only rooms to its right, at module level or
inside a function; the one exception is named below with its reason. The project package
(roadmap/) and benchmarks/ stand outside the rooms and may import any of them."""

import ast
from pathlib import Path

from django.conf import settings

# Left to right; a room may import the rooms after it. accounts and themes are the bottom.
ROOM_ORDER = {
    "reports": 0,
    "indicators": 1,
    "rounds": 2,
    "institutions": 3,
    "accounts": 4,
    "themes": 4,
}
# (room, module it imports): why the arrow points the other way.
EXCEPTIONS = {
    # The three ways an answer is written (the page, the upload and the token API) ask whether
    # a closed reporting round locks it; rounds hold institutions' answers to account, so the
    # round must sit above them.
    ("institutions", "rounds.queries"): "answer locks",
}


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of nodes under ``if TYPE_CHECKING:``: names for annotations, never imported
    when the code runs."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(inner) for part in node.body for inner in ast.walk(part)}
    return skipped


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module an import statement names, anywhere in the tree (functions included),
    but for annotations only (TYPE_CHECKING)."""
    found = []
    skipped = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
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


def _wrong_way(room: str, module: str) -> bool:
    other = module.split(".")[0]
    if other == room or other not in ROOM_ORDER or (room, module) in EXCEPTIONS:
        return False
    return ROOM_ORDER[other] <= ROOM_ORDER[room]


def _violations(room: str) -> list[str]:
    base = Path(settings.BASE_DIR)
    wrong = []
    # Migrations may name a moved model's old app; they are history, not dependencies.
    files = [p for p in sorted((base / room).rglob("*.py")) if "migrations" not in p.parts]
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, module in [*_imported_modules(tree), *_dynamic_imports(tree)]:
            if _wrong_way(room, module):
                wrong.append(f"{path.relative_to(base)}:{line} imports {module}")
    return wrong


def test_the_walker_finds_imports_inside_functions():
    tree = ast.parse(
        "def f():\n    from indicators.models import Snapshot\n"
        "def g():\n    import reports.tables\n"
        "def h():\n    importlib.import_module('rounds.queries')\n"
    )
    found = [module for _, module in [*_imported_modules(tree), *_dynamic_imports(tree)]]
    assert found == ["indicators.models", "reports.tables", "rounds.queries"]


def test_the_walker_leaves_out_names_for_annotations_only():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from institutions.models import Institution\n"
        "from themes.models import Theme\n"
    )
    assert [module for _, module in _imported_modules(tree)] == ["typing", "themes.models"]


def test_the_rule_reads_the_order_both_ways():
    assert _wrong_way("themes", "indicators.models")
    assert _wrong_way("rounds", "reports.xlsx")
    assert _wrong_way("accounts", "themes.models")  # side by side at the bottom: neither way
    assert not _wrong_way("reports", "rounds.queries")
    assert not _wrong_way("institutions", "rounds.queries")  # the named exception
    assert _wrong_way("institutions", "rounds.models")  # only that one module
    assert not _wrong_way("themes", "django.db")


def test_no_room_imports_a_room_to_its_left():
    assert Path(settings.BASE_DIR, "themes", "needed.py").exists()
    wrong = [line for room in ROOM_ORDER for line in _violations(room)]
    assert not wrong, "\n".join(wrong)
