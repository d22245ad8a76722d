"""The shape of the house: layers one way (import-linter), no import cycles, no private
names across modules, small rooms."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp

SRC = Path(__file__).resolve().parents[2] / "src" / "tonekit"
TESTS = Path(__file__).resolve().parents[1]
MAX_LINES = 600


def test_layers_contract_holds():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=SRC.parents[1], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module (the cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def import_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("tonekit")
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def test_there_is_no_import_cycle():
    assert strongly_connected(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = import_graph()
    graph["tonekit.shared"] = graph["tonekit.shared"] | {"tonekit.cli"}  # as if shared imported the cli
    cycles = strongly_connected(graph)
    assert cycles and "tonekit.shared" in cycles[0] and "tonekit.cli" in cycles[0]


def private_imports(path: Path, package: str | None) -> list[str]:
    """``from X import _name`` of a tonekit module other than the file's own."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = (package or "").split(".")
            module = ".".join(base[: len(base) - node.level + 1] + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        if not module.startswith("tonekit"):
            continue
        for alias in node.names:
            if alias.name.startswith("_") and not alias.name.startswith("__"):
                found.append(f"{path.name}:{node.lineno} imports {alias.name} from {module}")
    return found


def test_no_module_imports_another_modules_private_names():
    problems = []
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        package = ".".join(parts if path.name == "__init__.py" else parts[:-1])
        problems += private_imports(path, package[: -len(".__init__")] if package.endswith(".__init__") else package)
    assert problems == []


def test_no_test_imports_a_private_name():
    problems = [p for path in TESTS.rglob("*.py") for p in private_imports(path, None)]
    assert problems == []


def test_rooms_are_small():
    long = {str(p.relative_to(SRC)): n for p in SRC.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}
