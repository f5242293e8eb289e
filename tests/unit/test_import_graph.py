"""The shared layer's modules import each other without a cycle: not at module level, and not through an
import deferred into a function either (a cycle broken only by binding at call time, as audit → tenancy →
settings → audit once was, is still a cycle). Imports under ``if TYPE_CHECKING:`` do not count."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

LAYER = Path(__file__).resolve().parents[2] / "layers" / "orgplane"


def _module_name(path: Path) -> str:
    parts = path.relative_to(LAYER).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    return {id(inner) for node in ast.walk(tree)
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for inner in ast.walk(node)}


def import_graph() -> dict[str, set[str]]:
    """Module -> the layer modules it imports anywhere in its body."""
    modules = {_module_name(path): path for path in LAYER.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        skipped = _type_checking_nodes(tree)
        found: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names if alias.name in modules}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    target = f"{node.module}.{alias.name}"
                    found.add(target if target in modules else node.module)
        graph[name] = {target for target in found if target in modules and target != name}
    return graph


def test_the_layer_has_no_import_cycle() -> None:
    graph = import_graph()
    assert {"orgplane.services.audit", "orgplane.services.tenancy", "orgplane.services.settings"} <= set(graph)
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None


def test_the_audit_write_half_and_the_settings_cache_import_no_routes() -> None:
    graph = import_graph()
    assert "orgplane.services.tenancy" not in graph["orgplane.services.audit"]
    assert "orgplane.services.audit" not in graph["orgplane.services.settings"]
    assert "orgplane.services.tenancy" in graph["orgplane.services.audit_queries"]
