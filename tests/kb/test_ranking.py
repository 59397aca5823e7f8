from __future__ import annotations

import pytest

from kb.ranking import ArticleDoc, Ranker
from kb.service import KnowledgeService


def top(service: KnowledgeService, text: str) -> str | None:
    found = service.search(text, limit=3)
    return found[0].slug if found else None


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("pw reset", "password-reset"),
        ("2fa new phone", "mfa-new-phone"),
        ("my notebook will not power on", "laptop-power"),
        ("o365 mail not arriving", "outlook"),
        ("remote access via VPN keeps dropping", "vpn-drops"),
    ],
)
def test_synonyms_and_abbreviations_find_the_article(
    service: KnowledgeService, query: str, slug: str
) -> None:
    assert top(service, query) == slug


@pytest.mark.parametrize(
    ("query", "slug"),
    [("pasword resett", "password-reset"), ("printr wont print", "printer"), ("outlok", "outlook")],
)
def test_typos_still_find_the_article(service: KnowledgeService, query: str, slug: str) -> None:
    assert top(service, query) == slug


def test_a_title_match_beats_the_same_word_in_a_body() -> None:
    ranker = Ranker()
    ranker.load(
        [
            ArticleDoc(
                slug="body", title="Wireless headsets", body="Pair the headset. Docking station notes."
            ),
            ArticleDoc(slug="title", title="Docking station not working", body="Unplug power, reconnect."),
        ]
    )
    assert [item.slug for item in ranker.rank("docking station")][0] == "title"


def test_empty_or_blank_query_suggests_nothing(service: KnowledgeService) -> None:
    assert service.suggest("") == []
    assert service.suggest("   \n\t") == []
    assert service.search("?!") == []


def test_a_40000_character_query_is_answered(service: KnowledgeService) -> None:
    noise = " ".join(f"line{i} lorem ipsum dolor" for i in range(2500))
    text = ("My VPN keeps disconnecting every few minutes. " + noise)[:40_000]
    assert len(text) == 40_000
    assert top(service, text) == "vpn-drops"


def test_gibberish_gets_no_suggestion_but_search_still_ranks(service: KnowledgeService) -> None:
    assert service.suggest("qwxz blorft zzyzx frobnicate") == []
    assert service.suggest("the weather is nice today") == []


def test_a_clear_match_is_suggested_with_a_confidence_between_0_and_1(service: KnowledgeService) -> None:
    suggestions = service.suggest("I forgot my password, how do I reset it?")
    assert suggestions and suggestions[0].slug == "password-reset"
    assert 0.0 < suggestions[0].score <= 1.0
    assert suggestions[0].summary.startswith("Open the self-service reset page")


def test_threshold_filters_suggest_but_not_search(service: KnowledgeService) -> None:
    strict = KnowledgeService(service.store._sessions, threshold=1.0)
    assert strict.suggest("printer issue somewhere") == []
    assert strict.search("printer issue somewhere")[0].slug == "printer"


def test_explain_says_which_field_and_term_matched(service: KnowledgeService) -> None:
    best = service.rank("pw reset", limit=1)[0]
    assert any("password" in reason and "title" in reason for reason in best.reasons)


def test_learned_phrasing_ranks_its_article_first() -> None:
    ranker = Ranker()
    ranker.load(
        [
            ArticleDoc(
                slug="mailbox", title="Open a shared mailbox", body="Add the team mailbox in Outlook."
            ),
            ArticleDoc(slug="calendar", title="Share your calendar", body="Calendar sharing permissions."),
        ]
    )
    question = "my team cannot see the shared mailbox appointments"
    assert ranker.rank(question)[0].slug == "mailbox"
    ranker.add_phrasing("calendar", question)
    assert ranker.rank(question)[0].slug == "calendar"


def test_bulk_loading_many_articles_keeps_each_one_findable() -> None:
    ranker = Ranker()
    ranker.load(ArticleDoc(slug=f"a{i}", title=f"topic{i} printer", body=f"word{i}") for i in range(300))
    assert [item.slug for item in ranker.rank("topic7 printer", limit=1)] == ["a7"]
    assert [item.slug for item in ranker.rank("topic299", limit=1)] == ["a299"]


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8])
def test_a_confidence_floor_leaves_out_no_article_that_reaches_it(service: KnowledgeService, threshold: float) -> None:
    ranker = service.refresh()
    queries = ["I forgot my password, how do I reset it?", "vpn keeps dropping when I work from home",
               "printer on floor 2 is jammed", "outlook not syncing mail", "new laptop please",
               "my screen flickers", "cannot log in to teams", "wifi password"]
    for query in queries:
        every = [(r.slug, r.confidence) for r in ranker.rank(query, limit=40, explain=False)
                 if r.confidence >= threshold]
        floored = [(r.slug, r.confidence) for r in ranker.rank(query, limit=40, explain=False,
                                                               min_confidence=threshold)
                   if r.confidence >= threshold]
        assert floored == every
