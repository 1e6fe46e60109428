"""The package's shape: no import cycles, the library never imports the command line, one
parser with every command."""

from __future__ import annotations

import ast
from pathlib import Path

import complaintmine

PACKAGE = Path(complaintmine.__file__).parent


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports, at module level or inside functions."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        name = path.stem
        edges = graph.setdefault(name, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level == 1:
                    if node.module:
                        edges.add(node.module.split(".")[0])
                    else:  # from . import x, y
                        edges.update(a.name for a in node.names)
                elif node.module and node.module.startswith("complaintmine."):
                    edges.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                edges.update(a.name.split(".")[1] for a in node.names if a.name.startswith("complaintmine."))
        edges.discard(name)
    modules = set(graph)
    return {m: {e for e in edges if e in modules} for m, edges in graph.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_the_package():
    graph = import_graph()
    assert {"pipeline", "model", "cli", "batch"} <= set(graph)
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_library_never_imports_the_command_line():
    graph = import_graph()
    users = sorted(m for m, edges in graph.items() if "cli" in edges and m not in ("__main__",))
    assert users == []


def test_one_parser_has_every_command():
    from complaintmine.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == {"tokenize", "classify", "train", "evaluate", "report"}
