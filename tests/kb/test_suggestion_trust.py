"""Suggestions people can trust: rank and confidence agree, the most likely article comes first,
weak or off-subject matches are not shown, and the desk's `kb.max_suggestions` is honoured."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from kb.service import KnowledgeService
from kb.starter import starter_articles_dir

WORDS = (
    "outlook wifi vpn password keeps asking dropping slow laptop printer teams zoom meeting room my the "
    "new phone access share drive locked account screen monitor dock update restart error please it"
).split()


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeService:
    from sqlalchemy import create_engine

    from core.storage.base import Base
    from kb.tables import KB_TABLES

    engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('kb')}/kb.db")
    Base.metadata.create_all(engine, tables=list(KB_TABLES))
    service = KnowledgeService(sessionmaker(engine, expire_on_commit=False), refresh_seconds=60)
    service.import_dir(starter_articles_dir())
    return service


def test_a_password_prompt_in_outlook_gets_the_outlook_article_not_the_wifi_one(
    starter: KnowledgeService,
) -> None:
    ranked = starter.rank("outlook keeps asking for my password", limit=5)
    assert ranked[0].slug == "outlook-not-syncing"
    wifi = next(item for item in ranked if item.slug == "wifi-cant-connect")
    assert wifi.confidence < starter.threshold


def test_patchy_wifi_in_a_meeting_room_gets_the_slow_wifi_article_first(starter: KnowledgeService) -> None:
    assert starter.rank("wifi in meeting room 4 is really patchy", limit=1)[0].slug == "wifi-slow"


@pytest.mark.parametrize("text", ["thanks, that worked!", "hello?", "who is on call this weekend"])
def test_chatter_with_one_common_word_gets_no_suggestion(starter: KnowledgeService, text: str) -> None:
    assert starter.suggest(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "wifi in meeting room 4 is really patchy",
        "outlook keeps asking for my password",
        "my laptop is slow and the wifi keeps dropping in the meeting room",
        "vpn drops and outlook says disconnected",
    ],
)
def test_suggestions_are_the_confident_start_of_the_ranking(starter: KnowledgeService, text: str) -> None:
    ranked = starter.rank(text, limit=10)
    confidences = [item.confidence for item in ranked]
    assert confidences == sorted(confidences, reverse=True)
    shown = [s.slug for s in starter.suggest(text, limit=10)]
    assert shown == [item.slug for item in ranked if item.confidence >= starter.threshold]
    assert shown == [item.slug for item in ranked[: len(shown)]]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=9))
def test_no_lower_ranked_article_is_ever_more_confident(starter: KnowledgeService, words: list[str]) -> None:
    ranked = starter.rank(" ".join(words), limit=10)
    assert all(a.confidence >= b.confidence for a, b in zip(ranked, ranked[1:], strict=False))


def test_max_suggestions_caps_what_is_shown(sessions: sessionmaker[Session]) -> None:
    text = "my laptop is slow and the wifi keeps dropping and vpn drops too"
    one = KnowledgeService(sessions, max_suggestions=1, threshold=0.0)
    one.import_dir(starter_articles_dir())
    assert len(one.suggest(text)) == 1
    assert len(one.suggest(text, limit=3)) == 3
    none = KnowledgeService(sessions, max_suggestions=0, threshold=0.0)
    assert none.suggest(text) == []


def test_negative_max_suggestions_is_refused(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(ValueError, match="max_suggestions"):
        KnowledgeService(sessions, max_suggestions=-1)
