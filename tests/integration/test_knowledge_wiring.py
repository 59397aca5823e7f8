"""The config's knowledge-base keys reach the knowledge base the desk uses."""

from __future__ import annotations

from bot.config import parse_config
from bot.wiring import build_knowledge
from core.storage.database import Database

TEXT = "my laptop is slow, the wifi keeps dropping and the vpn drops too"


def test_kb_max_suggestions_from_the_config_caps_the_suggestions(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        one = build_knowledge(parse_config("kb: {max_suggestions: 1, threshold: 0}", environ={}), db)
        assert len(one.suggest(TEXT)) == 1
        none = build_knowledge(parse_config("kb: {max_suggestions: 0}", environ={}), db)
        assert none.suggest(TEXT) == []
        default = build_knowledge(parse_config("kb: {threshold: 0}", environ={}), db)
        assert len(default.suggest(TEXT)) == 3
    finally:
        db.dispose()
