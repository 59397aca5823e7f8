"""Triage: rules where an admin wrote them, a model that learns from agents, state shared through the database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from core.lifecycle import Kind
from core.settings import CategoryRule, Classification, ExtraPhrases, KindRules
from core.storage.database import Database
from core.triage import TITLE_LIMIT, Triage, import_examples
from core.triage.exchange import forget
from core.triage.store import Labels

RULES = Classification()


class Ticks:
    """A monotonic clock for the refresh interval that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def understand(db: Database, text: str, triage: Triage | None = None):  # type: ignore[no-untyped-def]
    triage = triage or Triage(RULES)

    def read(session: Session):  # type: ignore[no-untyped-def]
        return triage.understand(session, text)

    return db.run(read)


def teach(db: Database, items: list[tuple[str, str, str]]) -> None:
    db.run(lambda s: import_examples(s, [(text, Labels(kind=kind, category=category, impact=3, urgency=3))
                                         for text, kind, category in items]))


def test_a_laptop_that_wont_turn_on_is_a_hardware_incident_and_says_why(db: Database) -> None:
    understood = understand(db, "my laptop won't turn on")
    assert (understood.kind, understood.category) == (Kind.INCIDENT, "hardware")
    assert understood.reasons["kind"] == "incident: 'won't'"
    assert understood.reasons["category"].startswith("category hardware: words like")


def test_asking_for_access_to_a_share_is_an_access_request(db: Database) -> None:
    understood = understand(db, "I need access to the finance share")
    assert (understood.kind, understood.category) == (Kind.REQUEST, "access")
    assert "(built-in examples)" in understood.reasons["kind"]


def test_curly_apostrophes_are_understood_like_straight_ones(db: Database) -> None:
    assert understand(db, "my laptop won\u2019t turn on").kind is Kind.INCIDENT


def test_everyone_and_urgent_raise_impact_and_urgency(db: Database) -> None:
    understood = understand(db, "urgent: email is down for everyone")
    assert (understood.kind, understood.category, understood.impact, understood.urgency) == \
        (Kind.INCIDENT, "email", 1, 1)
    assert understood.reasons["impact"] == "impact 1: 'everyone'"


def test_a_message_with_no_telling_word_is_a_low_request_in_general(db: Database) -> None:
    understood = understand(db, "hmm")
    assert (understood.kind, understood.category, understood.impact, understood.urgency) == \
        (Kind.REQUEST, "general", 3, 3)
    assert understood.reasons == {"kind": "request: nothing says something is broken"}


def test_wanting_a_new_monitor_is_a_request_for_hardware(db: Database) -> None:
    understood = understand(db, "I want a new monitor")
    assert (understood.kind, understood.category, understood.impact) == (Kind.REQUEST, "hardware", 3)


def test_title_is_the_first_line_cut_to_a_readable_length(db: Database) -> None:
    understood = understand(db, "\n\n" + "x" * 500 + "\nsecond line")
    assert len(understood.title) == TITLE_LIMIT
    assert understood.title.endswith("\u2026")


def test_the_config_can_add_phrases_and_categories_and_they_win(db: Database) -> None:
    rules = Classification(extra_phrases=ExtraPhrases(incident=("kaputt",), request=("password reset",)),
                           extra_categories=(CategoryRule(name="telephony", phrases=("desk phone",)),))
    triage = Triage(rules)
    phone = understand(db, "my desk phone is kaputt", triage)
    assert (phone.kind, phone.category) == (Kind.INCIDENT, "telephony")
    assert phone.reasons["kind"] == "incident: 'kaputt' (rule in the config)"
    assert phone.reasons["category"] == "category telephony: 'desk phone' (rule in the config)"
    # A built-in incident phrase ('not working') loses to a phrase the admin wrote.
    assert understand(db, "password reset not working for the new hire", triage).kind is Kind.REQUEST
    # The built-in lists stay: extra phrases add to them.
    assert understand(db, "my laptop won't turn on", triage).category == "hardware"


def test_replacing_a_list_in_the_config_makes_each_of_its_phrases_a_rule(db: Database) -> None:
    rules = Classification(kinds=KindRules(incident=("kaputt",), request=("bestellen",)),
                           categories=(CategoryRule(name="telephony", phrases=("desk phone",)),))
    triage = Triage(rules)
    assert understand(db, "ich möchte einen monitor bestellen", triage).kind is Kind.REQUEST
    assert understand(db, "my desk phone is kaputt", triage).category == "telephony"
    assert rules.phrases.incident_markers == ()


def test_learned_examples_teach_it_what_this_desk_calls_a_request(db: Database) -> None:
    text = "the badge printer needs magenta toner on floor 3"
    before = understand(db, text)
    taught_kind = Kind.INCIDENT if before.kind is Kind.REQUEST else Kind.REQUEST
    teach(db, [(f"the badge printer needs {colour} toner on floor {n}", taught_kind.value, "hardware")
               for n in range(2, 9) for colour in ("cyan", "yellow", "black")])
    after = understand(db, text)
    assert after.kind is taught_kind
    assert "learned from 21 imported examples" in after.reasons["kind"]
    assert "toner" in after.reasons["kind"] or "badge" in after.reasons["kind"]


def test_a_word_in_a_title_is_read_apart_from_the_same_word_in_a_body(db: Database) -> None:
    places = ("north", "south", "east", "west", "lisbon", "porto", "madrid", "sevilla", "lyon", "nantes", "lille",
              "brest")
    teach(db, [(f"entrance {place}\nthe badge reader at the {place} {door} rejects everyone", "incident", "access")
               for place in places for door in ("entrance", "garage")])
    teach(db, [(f"badge\nstarting on monday at the {place} office with the sales team, desk by the window", "request",
                "access") for place in places[:6]])
    understood = understand(db, "badge\nfor okonkwo")
    assert understood.kind is Kind.REQUEST
    assert "'badge'" in understood.reasons["kind"] and "title:" not in understood.reasons["kind"]


def test_the_title_of_a_longer_report_is_read_with_what_built_in_examples_taught(db: Database) -> None:
    understood = understand(db, "my laptop keeps freezing\nsince this morning, thanks")
    assert (understood.kind, understood.category) == (Kind.INCIDENT, "hardware")


def test_another_process_learns_within_its_refresh_interval(db: Database) -> None:
    ticks = Ticks()
    worker = Triage(RULES, refresh_seconds=2.0, monotonic=ticks)
    text = "the badge printer needs magenta toner"
    first = understand(db, text, worker).kind
    other = Kind.INCIDENT if first is Kind.REQUEST else Kind.REQUEST
    teach(db, [(f"the badge printer needs {c} toner again", other.value, "hardware")
               for c in ("cyan", "yellow", "black", "white", "blue", "red", "green", "pink")] * 3)
    assert understand(db, text, worker).kind is first  # not looked yet: within the interval
    ticks.now += 2.5
    assert understand(db, text, worker).kind is other
    db.run(forget)
    ticks.now += 2.5
    assert understand(db, text, worker).kind is first  # a reset is seen too


def test_impact_and_urgency_learn_from_priority_corrections(db: Database) -> None:
    text = "the payroll export for the bank fails"
    assert (understand(db, text).kind, understand(db, text).urgency) == (Kind.INCIDENT, 2)
    items = [(f"the payroll export for the bank fails again {n}", Labels("incident", "general", 2, 1))
             for n in range(25)]
    items += [(f"the printer fails on page {n}", Labels("incident", "hardware", 2, 2)) for n in range(25)]
    db.run(lambda s: import_examples(s, items))
    understood = understand(db, text)
    assert understood.urgency == 1
    assert understood.reasons["urgency"].startswith("urgency 1: words like")


def test_copying_the_example_config_keeps_the_built_in_lists(db: Database) -> None:
    from pathlib import Path

    from bot.config import load_config

    example = load_config(Path(__file__).resolve().parents[2] / "config.example.yaml", environ={})
    rules = example.desk.classification
    assert rules.phrases.incident_markers == RULES.phrases.incident_markers
    assert rules.phrases.request_hints == RULES.phrases.request_hints
    assert [c.name for c in rules.phrases.categories] == [c.name for c in RULES.phrases.categories]
    monitor = understand(db, "I want a new monitor", Triage(rules))
    assert (monitor.kind, monitor.category, monitor.impact, monitor.urgency) == (Kind.REQUEST, "hardware", 3, 3)


@pytest.mark.parametrize("name", ["chat_kinds.yaml"])
def test_realistic_chat_messages_are_read_as_the_kind_they_are(db: Database, name: str) -> None:
    from pathlib import Path

    import yaml

    messages = yaml.safe_load((Path(__file__).parent / name).read_text(encoding="utf-8"))
    triage = Triage(RULES)
    wrong = [text for kind, text in messages if understand(db, text, triage).kind.value != kind]
    assert len(messages) >= 70
    assert len(wrong) <= len(messages) // 10, wrong
