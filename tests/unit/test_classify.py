from __future__ import annotations

from core.classify import TITLE_LIMIT, classify
from core.lifecycle import Kind
from core.settings import CategoryRule, Classification, KindRules

RULES = Classification()


def test_a_laptop_that_wont_turn_on_is_a_hardware_incident() -> None:
    understood = classify("my laptop won't turn on", RULES)
    assert understood.kind is Kind.INCIDENT
    assert understood.category == "hardware"
    assert any("won't" in reason for reason in understood.reasons)


def test_asking_for_access_to_a_share_is_an_access_request() -> None:
    understood = classify("I need access to the finance share", RULES)
    assert understood.kind is Kind.REQUEST
    assert understood.category == "access"


def test_curly_apostrophes_are_understood_like_straight_ones() -> None:
    assert classify("my laptop won\u2019t turn on", RULES).kind is Kind.INCIDENT


def test_everyone_and_urgent_raise_impact_and_urgency() -> None:
    understood = classify("urgent: email is down for everyone", RULES)
    assert (understood.impact, understood.urgency) == (1, 1)


def test_without_any_phrase_a_report_is_a_medium_incident_in_general() -> None:
    understood = classify("hmm", RULES)
    assert (understood.kind, understood.category, understood.impact, understood.urgency) == \
        (Kind.INCIDENT, "general", 2, 2)


def test_the_config_can_add_phrases_and_categories() -> None:
    rules = Classification(
        kinds=KindRules(incident=("kaputt",), request=("bestellen",)),
        categories=(CategoryRule(name="telephony", phrases=("desk phone",)),),
    )
    assert classify("my desk phone is kaputt", rules).category == "telephony"
    assert classify("ich möchte einen monitor bestellen", rules).kind is Kind.REQUEST


def test_title_is_the_first_line_cut_to_a_readable_length() -> None:
    understood = classify("\n\n" + "x" * 500 + "\nsecond line", RULES)
    assert len(understood.title) == TITLE_LIMIT
    assert understood.title.endswith("\u2026")
