"""The shape of the code: rules a reader relies on, checked by walking the source."""

from __future__ import annotations

import ast
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "api"
MAX_FUNCTION_LINES = 60

Graph = dict[str, dict[str, list[str]]]


def _node(module: str) -> str | None:
    """The node an `api.*` module belongs to: its package (api/<pkg>/) or top-level module."""
    parts = module.split(".")
    return parts[1] if parts[0] == "api" and len(parts) > 1 else None


def _imported_modules(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        if node.module == "api":  # `from api import db`
            return [f"api.{alias.name}" for alias in node.names]
        return [node.module]
    return []


def import_graph() -> Graph:
    """{package: {imported package: ["file:line", ...]}} over every import in api/, at module
    level and inside functions alike (a function-level import still ties the packages)."""
    graph: Graph = defaultdict(lambda: defaultdict(list))
    for path in sorted(API.rglob("*.py")):
        relative = path.relative_to(API)
        source = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for module in _imported_modules(node):
                target = _node(module)
                if target is not None and target != source:
                    where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
                    graph[source][target].append(where)
    return graph


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def find_cycle(graph: Graph, allowed: set[tuple[str, str]]) -> list[str] | None:
    """A cycle of packages (first node repeated at the end), ignoring the edges between the
    `allowed` pairs (given in `_pair` order); None when there is none."""

    def edges(node: str) -> list[str]:
        return sorted(
            target for target in graph.get(node, {}) if _pair(node, target) not in allowed
        )

    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in edges(node):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def test_no_import_cycles_between_packages() -> None:
    """Packages of api/ never import each other in a circle: sync imports the domains,
    domains never import sync, and shared machinery sits below both."""
    graph = import_graph()
    cycle = find_cycle(graph, set())
    if cycle is not None:
        steps = [f"  {a} -> {b}: {', '.join(graph[a][b])}" for a, b in pairwise(cycle)]
        raise AssertionError("import cycle " + " -> ".join(cycle) + "\n" + "\n".join(steps))


def test_the_cycle_finder_sees_function_level_imports_and_long_cycles() -> None:
    graph: Graph = {
        "a": {"b": ["a.py:1"]},
        "b": {"c": ["b.py:1"]},
        "c": {"a": ["c.py:9 (inside a function)"]},
        "d": {"a": ["d.py:1"]},
    }
    assert find_cycle(graph, set()) == ["a", "b", "c", "a"]
    assert find_cycle(graph, {("a", "c")}) is None
    assert find_cycle({"a": {"b": []}, "b": {}}, set()) is None


def test_sync_is_imported_by_no_domain() -> None:
    """The protocol calls the domains, never the other way round."""
    graph = import_graph()
    importers = sorted(source for source, targets in graph.items() if "sync" in targets)
    assert importers == ["main"], importers


def test_no_function_over_sixty_lines() -> None:
    """Long functions are where complexity hides: split them into named steps (ruff's C901
    and PLR0915 keep complexity and statement counts down; this keeps the length)."""
    too_long = []
    for path in sorted([*API.rglob("*.py"), *(ROOT / "models").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    assert not too_long, "functions over 60 lines:\n" + "\n".join(too_long)
