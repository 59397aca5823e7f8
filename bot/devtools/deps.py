"""The package graph of `core/`: which unit imports which, the cycles among them, and every import that
goes against the layers written in docs/design.md ("Layers of core").

A unit is a package of core (`core.sla`) or a module at its top (`core.actions`). The layers are listed
lowest first; a module may import units of its own layer and of the layers below, never above, and no
units may import each other in a circle.

Run: python -m bot.devtools.deps    (the graph layer by layer, its cycles, and what breaks the layers)
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DESIGN = ROOT / "docs" / "design.md"
LAYERS_START, LAYERS_END = "<!-- layers:start -->", "<!-- layers:end -->"
_UNIT_NAME = re.compile(r"`(core(?:\.\w+)?)`")


def module_name(path: Path, root: Path = ROOT) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")


def _is_module(name: str, root: Path) -> bool:
    path = root / name.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def module_imports(package: str = "core", root: Path = ROOT) -> dict[str, set[str]]:
    """Each module of `package` and the modules of `package` it imports (`from core import actions` is
    an import of `core.actions`), lazy imports inside functions included."""
    found: dict[str, set[str]] = {}
    for path in sorted((root / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    names.add(full if _is_module(full, root) else node.module)
        found[module_name(path, root)] = {n for n in names if n == package or n.startswith(package + ".")}
    return found


def unit_of(module: str) -> str:
    """`core.sla.sweep` is in the unit `core.sla`; `core.actions` is a unit of its own."""
    return ".".join(module.split(".")[:2])


def unit_graph(imports: Mapping[str, set[str]]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, names in imports.items():
        unit = unit_of(module)
        if unit == "core":
            continue  # core/__init__.py: the package itself, holding nothing
        graph.setdefault(unit, set()).update(unit_of(n) for n in names if unit_of(n) not in (unit, "core"))
    return graph


def tangles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The groups of nodes that import each other in a circle (strongly connected, more than one node)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def cycles(graph: Mapping[str, set[str]], *, limit: int = 1000) -> list[list[str]]:
    """The elementary cycles (at most `limit`), each listed once from its smallest node, shortest first."""
    nodes = sorted(graph)
    found: list[list[str]] = []
    for start_index, start in enumerate(nodes):
        allowed = set(nodes[start_index:])
        stack: list[tuple[str, list[str]]] = [(start, [start])]
        while stack and len(found) < limit:
            node, path = stack.pop()
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    found.append(path)
                elif nxt in allowed and nxt not in path:
                    stack.append((nxt, [*path, nxt]))
    return sorted(found, key=lambda c: (len(c), c))


@dataclass(frozen=True)
class Layer:
    name: str
    units: tuple[str, ...]


def read_layers(design: Path = DESIGN) -> list[Layer]:
    """The layers table of docs/design.md, lowest layer first."""
    text = design.read_text(encoding="utf-8")
    if LAYERS_START not in text:
        return []
    table = text.split(LAYERS_START, 1)[1].split(LAYERS_END, 1)[0]
    layers: list[Layer] = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not _UNIT_NAME.search(cells[1]):
            continue
        layers.append(Layer(name=cells[0].strip("*` "), units=tuple(_UNIT_NAME.findall(cells[1]))))
    return layers


def layer_index(layers: Iterable[Layer]) -> dict[str, int]:
    return {unit: n for n, layer in enumerate(layers) for unit in layer.units}


def unplaced(graph: Mapping[str, set[str]], layers: list[Layer]) -> list[str]:
    placed = layer_index(layers)
    return sorted(unit for unit in graph if unit not in placed)


def layer_breaks(imports: Mapping[str, set[str]], layers: list[Layer]) -> list[str]:
    """Each import of a unit from a higher layer, as one line naming both modules and both layers."""
    index = layer_index(layers)
    names = [layer.name for layer in layers]
    found: list[str] = []
    for module, imported in sorted(imports.items()):
        mine = index.get(unit_of(module))
        if mine is None:
            continue
        for name in sorted(imported):
            theirs = index.get(unit_of(name))
            if theirs is not None and theirs > mine:
                found.append(f"{module} ({names[mine]}) imports {name} ({names[theirs]})")
    return found


def module_graph(imports: Mapping[str, set[str]]) -> dict[str, set[str]]:
    return {module: names - {module} for module, names in imports.items()}


def report(root: Path = ROOT, design: Path = DESIGN) -> str:
    imports = module_imports("core", root)
    graph = unit_graph(imports)
    layers = read_layers(design) if design.exists() else []
    loops = cycles(graph)
    module_loops = cycles(module_graph(imports))
    lines = [f"core: {len(graph)} units, {sum(len(v) for v in graph.values())} imports between them; "
             f"{len(loops)} cycles among units, {len(module_loops)} among modules"]
    groups = [(f"layer {n + 1}, {layer.name}", [u for u in layer.units if u in graph])
              for n, layer in enumerate(layers)]
    rest = unplaced(graph, layers)
    if rest:
        groups.append(("in no layer" if layers else "no layers written", rest))
    for name, units in groups:
        lines.append(f"{name}:")
        for unit in units:
            lines.append(f"  {unit} -> {', '.join(sorted(graph[unit])) or '-'}")
    for loop in loops:
        lines.append("unit cycle: " + " -> ".join([*loop, loop[0]]))
    for loop in module_loops:
        lines.append("module cycle: " + " -> ".join([*loop, loop[0]]))
    for line in layer_breaks(imports, layers):
        lines.append("against the layers: " + line)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(report() + "\n")
