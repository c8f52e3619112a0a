"""No import circles between project modules: no module imports one that imports it back, not
even inside a function (ISSUE 7). A circle means two modules cannot be understood, tested or moved
apart, and a function-level import is just a circle that waits for its first call.

The test reads every project module with ``ast`` (module level, inside functions and classes, and
under ``if TYPE_CHECKING:``), resolves each import to the project module it names, and fails on
every strongly connected group of modules, printing one cycle through it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# mutants/: mutmut's copy of the project while `make mutation` runs.
SKIP_DIRS = {".venv", "venv", "node_modules", "var", "locale", "static", "media", ".git", "bench"}
SKIP_DIRS |= {"mutants"}


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted name → file, for every Python module of the project (migrations included)."""
    modules: dict[str, Path] = {}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        if any(part in SKIP_DIRS or part.startswith(".") for part in rel.parts[:-1]):
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not parts:
            continue
        modules[".".join(parts)] = path
    return modules


def imported_names(module: str, path: Path) -> Iterator[str]:
    """Every dotted name ``module`` imports, absolute; ``from a import b`` yields a.b and a."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                if node.level > 1:
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                yield f"{base}.{alias.name}" if base else alias.name
            if base:
                yield base


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target in imported_names(name, path):
            # The most specific project module the name refers to (a.b.func → a.b).
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                # A module importing its own package (``from . import x`` inside the package)
                # reads the package's __init__, which is not a circle of two modules.
                graph[name].add(target)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; groups of more than one module (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in graph[node]:
                        groups.append(sorted(group))
    return groups


def one_cycle(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """A shortest cycle through the group's first module, for the failure message."""
    members = set(group)
    start = group[0]
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node] & members):
            if child == start:
                return [*paths[node], start]
            if child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    return group


def test_no_import_circles_between_project_modules():
    graph = import_graph(project_modules())
    cycles = [" → ".join(one_cycle(graph, g)) for g in strongly_connected(graph)]
    assert not cycles, "import circles:\n" + "\n".join(cycles)


def test_the_guard_sees_a_circle_inside_a_function(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "services.py").write_text("def f():\n    from .tasks import t\n    return t\n")
    (pkg / "tasks.py").write_text("from pkg.services import f\n")
    (pkg / "other.py").write_text("from . import services\n")
    graph = import_graph(project_modules(tmp_path))
    assert strongly_connected(graph) == [["pkg.services", "pkg.tasks"]]
    assert one_cycle(graph, ["pkg.services", "pkg.tasks"]) == [
        "pkg.services",
        "pkg.tasks",
        "pkg.services",
    ]


def test_no_service_imports_a_tasks_module():
    """Tasks call services; services enqueue by name through core.jobs, never by import."""
    modules = project_modules()
    graph = import_graph(modules)
    offenders = sorted(
        f"{name} → {target}"
        for name, targets in graph.items()
        if ".services" in f".{name}" or name.endswith("services")
        for target in targets
        if target.rpartition(".")[2] == "tasks" or target.endswith("_tasks")
    )
    assert offenders == []
