"""The dependency rule of ARCHITECTURE.md, read from the imports of every module."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHAT_LIBRARIES = {"slack_bolt", "slack_sdk", "discord", "aiohttp"}
PLATFORM_WORDS = ("slack", "discord")


def imports_of(package: str) -> dict[Path, set[str]]:
    found: dict[Path, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[path] = names
    return found


def top(name: str) -> str:
    return name.split(".")[0]


def test_core_imports_no_chat_library_nor_adapters_nor_bot() -> None:
    for path, names in imports_of("core").items():
        bad = {n for n in names if top(n) in CHAT_LIBRARIES | {"adapters", "bot"}}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_core_speaks_no_platform_word() -> None:
    for path in (ROOT / "core").rglob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        for word in PLATFORM_WORDS:
            assert word not in text, f"{path.relative_to(ROOT)} mentions {word!r}"


def test_kb_imports_nothing_from_adapters_or_bot() -> None:
    for path, names in imports_of("kb").items():
        bad = {n for n in names if top(n) in {"adapters", "bot"} | CHAT_LIBRARIES}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_an_adapter_never_imports_another_adapter_or_bot() -> None:
    for adapter in (p for p in (ROOT / "adapters").iterdir() if p.is_dir() and not p.name.startswith("_")):
        for path, names in imports_of(f"adapters/{adapter.name}").items():
            others = {n for n in names if n.startswith("adapters.") and n.split(".")[1] != adapter.name}
            assert not others, f"{path.relative_to(ROOT)} imports {sorted(others)}"
            assert not {n for n in names if top(n) == "bot"}, f"{path.relative_to(ROOT)} imports bot"
