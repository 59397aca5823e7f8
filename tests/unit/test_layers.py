"""The layers of core written in docs/design.md, read from the imports of every module."""

from __future__ import annotations

from pathlib import Path

from bot.devtools.deps import (
    DESIGN,
    Layer,
    layer_breaks,
    module_graph,
    module_imports,
    read_layers,
    tangles,
    unit_graph,
    unplaced,
)

IMPORTS = module_imports("core")
LAYERS = read_layers(DESIGN)


def test_design_md_writes_the_layers_lowest_first() -> None:
    names = [layer.name for layer in LAYERS]
    assert names[0] == "values" and names[-1] == "service"
    assert len(names) >= 5


def test_every_unit_of_core_is_in_one_layer() -> None:
    missing = unplaced(unit_graph(IMPORTS), LAYERS)
    assert not missing, (f"{', '.join(missing)}: in no layer of docs/design.md (\"Layers of core\"); "
                         "add each to the table where its imports put it")
    listed = [unit for layer in LAYERS for unit in layer.units]
    assert len(listed) == len(set(listed)), "a unit is listed in two layers"


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    breaks = layer_breaks(IMPORTS, LAYERS)
    assert not breaks, "\n".join(breaks)


def test_no_units_of_core_import_each_other_in_a_circle() -> None:
    assert tangles(unit_graph(IMPORTS)) == []


def test_no_modules_of_core_import_each_other_in_a_circle() -> None:
    assert tangles(module_graph(IMPORTS)) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, set[str]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return module_imports("core", tmp_path)


def test_the_checks_catch_an_upward_import_and_a_circle(tmp_path: Path) -> None:
    imports = _tree(tmp_path, {
        "core/__init__.py": "",
        "core/low.py": "from core.high import thing\n",
        "core/high/__init__.py": "",
        "core/high/thing.py": "from core import low\n",
        "core/loose.py": "",
    })
    layers = [Layer("values", ("core.low",)), Layer("processes", ("core.high",))]
    assert layer_breaks(imports, layers) == ["core.low (values) imports core.high.thing (processes)"]
    assert tangles(unit_graph(imports)) == [["core.high", "core.low"]]
    assert tangles(module_graph(imports)) == [["core.high.thing", "core.low"]]
    assert unplaced(unit_graph(imports), layers) == ["core.loose"]


def test_a_lazy_import_inside_a_function_counts(tmp_path: Path) -> None:
    imports = _tree(tmp_path, {
        "core/__init__.py": "",
        "core/low.py": "def later():\n    from core import high\n",
        "core/high.py": "",
    })
    assert imports["core.low"] == {"core.high"}


def test_the_layers_table_is_read_from_the_design_notes(tmp_path: Path) -> None:
    design = tmp_path / "design.md"
    design.write_text("intro\n<!-- layers:start -->\n| layer | units | what |\n| --- | --- | --- |\n"
                      "| values | `core.a`, `core.b` | x |\n| top | `core.c` | y |\n<!-- layers:end -->\n")
    assert read_layers(design) == [Layer("values", ("core.a", "core.b")), Layer("top", ("core.c",))]
