"""The config's knowledge-base keys reach the knowledge base the desk uses."""

from __future__ import annotations

from bot.config import parse_config
from bot.wiring import knowledge_for

TEXT = "my laptop is slow, the wifi keeps dropping and the vpn drops too"


def test_kb_max_suggestions_from_the_config_caps_the_suggestions(sqlite_url: str) -> None:
    def knowledge(kb: str):  # type: ignore[no-untyped-def]
        return knowledge_for(parse_config(f"database: {{url: '{sqlite_url}'}}\nkb: {kb}", environ={}))

    assert len(knowledge("{max_suggestions: 1, threshold: 0}").suggest(TEXT)) == 1
    assert knowledge("{max_suggestions: 0}").suggest(TEXT) == []
    assert len(knowledge("{threshold: 0}").suggest(TEXT)) == 3
