"""The desk teaches triage: agents' corrections and closed tickets become examples, in the same transaction;
the reasons are on the ticket, its cards and /desk show; a correction tells the requester again."""

from __future__ import annotations

from sqlalchemy import select

from core.knowledge import Suggestion
from core.messages import CommandRequest
from core.storage.models import TicketRow
from core.storage.triage_models import TriageExampleRow
from core.triage import statistics
from tests.conftest import DANA, KIM, SAM, Chat, person
from tests.fakes import FakeKnowledgeBase
from tests.integration.helpers import outbox, outbox_texts


def examples(chat: Chat) -> list[tuple[int | None, str, str, str, int, int, str]]:
    return chat.desk.db.run(lambda s: [
        (r.ticket_id, r.kind, r.category, r.corrected, r.impact, r.urgency, r.text)
        for r in s.scalars(select(TriageExampleRow).order_by(TriageExampleRow.id))])


def reasons(chat: Chat, number: int) -> dict[str, str]:
    return chat.desk.db.run(lambda s: dict(s.get_one(TicketRow, number).triage_reasons or {}))


def test_the_reasons_are_stored_on_the_ticket_and_shown_on_the_card_and_in_show(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    assert reasons(chat, 1)["kind"] == "incident: 'won't'"
    card = next(r.card for r in outbox(chat.desk) if r.card_key.startswith("triage:"))
    why = dict(card["fields"])["Why"]
    assert why.startswith("incident: 'won't'; category hardware: words like")
    shown = chat.desk.handle_command(CommandRequest(platform="console", event_id="show-1", author=SAM,
                                                    text="show INC-1", channel="it-help")).card
    assert shown is not None and dict((f.label, f.value) for f in shown.fields)["Why"] == why


def test_a_correction_teaches_the_model_and_tells_the_requester_again(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    assert chat.desk_command(SAM, "kind INC-1 request") == "INC-1 is now REQ-1."
    assert examples(chat) == [(1, "request", "hardware", "kind", 2, 2, "my laptop won't turn on")]
    assert reasons(chat, 1)["kind"] == "request: corrected by Sam"
    assert any("IT corrected the kind of INC-1: REQ-1 is now hardware, request, P3." in t
               for t in outbox_texts(chat.desk))
    triage = [r.card for r in outbox(chat.desk) if r.card_key.startswith("triage:")]
    assert dict(triage[-1]["fields"])["Why"].startswith("request: corrected by Sam; category hardware")


def test_a_second_correction_replaces_what_the_first_taught(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "kind INC-1 request")
    chat.desk_command(SAM, "category REQ-1 software")
    chat.desk_command(SAM, "priority REQ-1 1 2")
    assert [e[:6] for e in examples(chat)] == [
        (1, "request", "hardware", "kind", 2, 2),
        (1, "request", "software", "category,kind", 2, 2),
        (1, "request", "software", "category,kind,priority", 1, 2),
    ]
    stats = chat.desk.db.run(statistics)
    assert (stats.examples, stats.corrected, stats.confirmed) == (1, 1, 0)
    assert reasons(chat, 1)["impact"] == "impact 1: corrected by Sam"
    assert any("IT corrected the priority of REQ-1: REQ-1 is now software, request, P2. First response within"
               in t for t in outbox_texts(chat.desk))


def test_a_ticket_an_agent_worked_and_closed_confirms_its_triage(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "claim INC-1")
    chat.desk_command(SAM, "resolve INC-1 new battery")
    assert examples(chat) == []
    chat.desk_command(DANA, "confirm INC-1")
    assert examples(chat) == [(1, "incident", "hardware", "", 2, 2, "my laptop won't turn on")]
    stats = chat.desk.db.run(statistics)
    assert (stats.corrected, stats.confirmed) == (0, 1)


def test_a_corrected_ticket_stays_a_correction_when_it_closes(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "category INC-1 general")
    chat.desk_command(SAM, "resolve INC-1 fixed")
    chat.desk_command(DANA, "confirm INC-1")
    assert [e[:4] for e in examples(chat)][-1] == (1, "incident", "general", "category")


def test_self_service_that_no_agent_touched_teaches_nothing(chat: Chat, knowledge: FakeKnowledgeBase) -> None:
    knowledge.suggestions["vpn"] = [Suggestion(slug="vpn-drops", title="VPN keeps dropping", score=0.9)]
    chat.say(KIM, "vpn keeps dropping")
    chat.desk_command(KIM, "kb solved INC-1 vpn-drops")
    chat.desk_command(KIM, "close INC-1")
    assert examples(chat) == []


def test_a_failed_correction_teaches_nothing(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    assert chat.desk_command(SAM, "category INC-1 plumbing").startswith("No category 'plumbing'")
    assert chat.desk_command(DANA, "kind INC-1 request").startswith("Only IT agents")
    assert examples(chat) == []


def test_what_agents_taught_decides_the_next_similar_report(chat: Chat) -> None:
    for n in range(12):
        chat.say(person(f"Reporter{n}"), f"the badge printer on floor {n} needs new ribbons")
        key = chat.desk.db.run(lambda s: s.scalars(select(TicketRow).order_by(TicketRow.id.desc())).first().key)
        if key.startswith("REQ"):
            chat.desk_command(SAM, f"kind {key} incident")
        chat.desk_command(SAM, f"category {key.replace('REQ', 'INC')} hardware")
    assert sum("kind" in example[3] for example in examples(chat)) >= 6  # the model had it wrong at first
    chat.desk.deps.triage.refresh_seconds = 0.0
    chat.say(KIM, "the badge printer on the ground floor needs new ribbons")
    newest = chat.desk.db.run(lambda s: s.scalars(select(TicketRow).order_by(TicketRow.id.desc())).first())
    assert (newest.kind, newest.category) == ("incident", "hardware"), newest.triage_reasons
    assert "learned from 12 corrections" in newest.triage_reasons["kind"]
