from __future__ import annotations

import ast
from pathlib import Path

import kb

FORBIDDEN = ("adapters", "bot")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_kb_imports_nothing_from_adapters_or_bot_and_from_core_only_the_port_storage_base_and_file_format() -> None:
    for path in Path(kb.__file__).parent.rglob("*.py"):
        for name in imported_modules(path):
            top = name.split(".")[0]
            assert top not in FORBIDDEN, f"{path.name} imports {name}"
            if top == "core":
                allowed = ("core.knowledge", "core.storage.base", "core.storage.types", "core.front_matter")
                assert name in allowed, f"{path.name} imports {name}"


def test_knowledge_service_satisfies_the_port() -> None:
    from core.knowledge import KnowledgeBase
    from kb.service import KnowledgeService

    port = {name for name in dir(KnowledgeBase) if not name.startswith("_")}
    assert port <= set(dir(KnowledgeService))
