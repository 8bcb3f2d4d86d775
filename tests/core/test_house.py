"""The house's rules that import-linter's layers do not cover (README "Layout: the house"):
no import cycle among the project's modules, no project module imported inside a function
(migrations and AppConfig.ready aside), no importlib, no `except ImportError` around them."""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "config",
    "core",
    "branches",
    "members",
    "venues",
    "activities",
    "alliance",
    "assessment",
    "home",
)


def project_sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_import_cycle_among_the_projects_modules():
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    modules = sorted(graph.modules)
    edges = {m: graph.find_modules_directly_imported_by(m) for m in modules}
    # Tarjan's strongly connected components: any component of two or more is a cycle.
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []
    counter = [0]

    def visit(module):
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for other in edges[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    assert cycles == []


def _project_import(node: ast.AST) -> str | None:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and not node.level:
        names = [node.module or ""]
    else:
        return None
    for name in names:
        if name.split(".")[0] in PACKAGES:
            return name
    return None


def test_no_project_module_is_imported_inside_a_function():
    found = []
    for path in project_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if path.name == "apps.py" and function.name == "ready":
                continue
            for node in ast.walk(function):
                name = _project_import(node)
                if name:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert found == []


def test_no_importlib_and_no_import_error_caught_around_the_project():
    found = []
    for path in project_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if _imports_importlib(node):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} importlib")
            if isinstance(node, ast.ExceptHandler) and _names(node.type) & {
                "ImportError",
                "ModuleNotFoundError",
            }:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} except ImportError")
    assert found == []


def _imports_importlib(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "importlib" for alias in node.names)
    return isinstance(node, ast.ImportFrom) and (node.module or "").startswith("importlib")


def _names(node: ast.AST | None) -> set[str]:
    if node is None:
        return set()
    if isinstance(node, ast.Name):
        return {node.id}
    if isinstance(node, ast.Tuple):
        return {element.id for element in node.elts if isinstance(element, ast.Name)}
    return set()
