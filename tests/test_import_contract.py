"""The import contract of the three packages (issue 13, item 8).

* ``weights`` and ``maps`` import nothing of ours (neither ``spatial`` nor each other);
* a private module ``pkg._name`` (or anything inside a private package) is imported only by
  modules of ``pkg`` itself; whatever is shared across packages is public;
* there is no import cycle between the modules of ``spatial`` (module-level imports only: an
  import inside a function is the lazy-import idiom of DESIGN.md and cannot cycle at import time).

The checks read the source with :mod:`ast`, so they see imports inside functions too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("spatial", "weights", "maps")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


MODULES = _modules()


def _imports(path: Path, *, top_level_only: bool = False) -> list[tuple[str, int]]:
    """Absolute names of our modules imported by ``path`` with their line numbers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    this = _module_name(path)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    nodes = tree.body if top_level_only else ast.walk(tree)
    found: list[tuple[str, int]] = []

    def add(name: str, line: int) -> None:
        if name.split(".")[0] in PACKAGES:
            found.append((name, line))

    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            add(module, node.lineno)
            for alias in node.names:  # `from pkg import _private_module`
                candidate = f"{module}.{alias.name}"
                if candidate in MODULES:
                    add(candidate, node.lineno)
        elif top_level_only and isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks do not run
            continue
    return found


def _private_owner(module: str) -> str | None:
    """The package allowed to import ``module``, or None when it is public."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def test_weights_and_maps_import_nothing_of_ours():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for module, path in MODULES.items()
        if module.split(".")[0] in ("weights", "maps")
        for name, line in _imports(path)
        if name.split(".")[0] != module.split(".")[0]
    ]
    assert not offenders, "\n".join(offenders)


def test_private_modules_are_imported_only_inside_their_package():
    offenders = []
    for module, path in MODULES.items():
        for name, line in _imports(path):
            owner = _private_owner(name)
            if owner is not None and not (module == owner or module.startswith(owner + ".")):
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports private {name} (owner: {owner})")
    assert not offenders, "\n".join(offenders)


def _spatial_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        if not module.startswith("spatial"):
            continue
        edges = set()
        for name, _ in _imports(path, top_level_only=True):
            # `import spatial.a.b` runs spatial/a/__init__ too; the edge that matters is the module itself
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name.startswith("spatial") and name != module:
                edges.add(name)
        graph[module] = edges
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in colour and (found := visit(nxt)):
                return found
        stack.pop()
        colour[node] = 2
        return None

    for node in sorted(graph):
        if node not in colour and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_inside_spatial():
    graph = _spatial_graph()
    # a package's __init__ re-exporting its submodules is not a cycle when the submodule imports a
    # sibling through the package: drop the edge submodule -> own package __init__
    for module, edges in graph.items():
        graph[module] = {e for e in edges if not module.startswith(e + ".")}
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": {"a"}}, True),
    ({"a": {"b"}, "b": set()}, False),
])
def test_cycle_finder_finds_cycles(graph, expected):
    assert (_cycle(graph) is not None) is expected


def test_private_owner_rule():
    assert _private_owner("weights._graph") == "weights"
    assert _private_owner("spatial.models._fit") == "spatial.models"
    assert _private_owner("spatial.pipeline") is None


def test_linalg_imports_nothing_above_it():
    """The numerical floor (issue 15 item 1): spatial.linalg imports only itself, weights and three leaf
    modules (errors, hints, progress); never spatial.models, spatial.steps, spatial.cli or anything else of ours."""
    allowed = ("spatial.linalg", "spatial.errors", "spatial.hints", "spatial.progress", "weights")
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for module, path in MODULES.items()
        if module == "spatial.linalg" or module.startswith("spatial.linalg.")
        for name, line in _imports(path)
        if not any(name == a or name.startswith(a + ".") for a in allowed)
    ]
    assert [m for m in MODULES if m.startswith("spatial.linalg.")], "spatial.linalg has no modules"
    assert not offenders, "\n".join(offenders)
