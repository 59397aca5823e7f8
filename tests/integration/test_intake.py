"""A message becomes a ticket, a comment, a link to a duplicate, or nothing."""

from __future__ import annotations

from core.knowledge import Suggestion
from core.messages import Inbound
from tests.conftest import DANA, KIM, SAM, Chat
from tests.fakes import FakeKnowledgeBase
from tests.integration.helpers import comments, outbox, outbox_texts, tickets


def test_a_report_becomes_a_ticket_and_the_requester_is_told_what_was_understood(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    [ticket] = tickets(chat.desk)
    assert (ticket["key"], ticket["kind"], ticket["category"], ticket["status"]) == \
        ("INC-1", "incident", "hardware", "new")
    texts = outbox_texts(chat.desk)
    assert any("INC-1 opened: hardware, incident, P3" in t for t in texts)
    assert any(t.startswith("INC-1 · my laptop won't turn on") for t in texts)


def test_a_request_gets_a_request_key(chat: Chat) -> None:
    chat.say(DANA, "I need access to the finance share")
    assert tickets(chat.desk)[0]["key"] == "REQ-1"


def test_keys_share_one_number_sequence_across_kinds(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.say(KIM, "I need access to the finance share")
    assert [t["key"] for t in tickets(chat.desk)] == ["INC-1", "REQ-2"]


def test_a_reply_in_the_tickets_thread_is_a_comment_not_a_new_ticket(chat: Chat) -> None:
    root = chat.say(DANA, "my laptop won't turn on")
    chat.say(DANA, "it also smells of smoke", thread=root)
    assert len(tickets(chat.desk)) == 1
    assert comments(chat.desk, 1) == [("it also smells of smoke", False)]


def test_retry_of_the_same_event_creates_no_second_ticket(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on", event_id="evt-1")
    before = len(outbox(chat.desk))
    chat.say(DANA, "my laptop won't turn on", event_id="evt-1")
    assert len(tickets(chat.desk)) == 1
    assert len(outbox(chat.desk)) == before


def test_a_near_duplicate_from_the_same_requester_is_linked_and_they_are_told(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.say(DANA, "my laptop won't turn on at all")
    assert len(tickets(chat.desk)) == 1
    assert any("This looks like INC-1" in t for t in outbox_texts(chat.desk))
    assert comments(chat.desk, 1) == [("Also reported: my laptop won't turn on at all", False)]


def test_the_same_words_from_someone_else_open_their_own_ticket(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.say(KIM, "my laptop won't turn on")
    assert len(tickets(chat.desk)) == 2


def test_empty_or_whitespace_messages_are_ignored(chat: Chat) -> None:
    chat.say(DANA, "   \n\t ")
    chat.say(DANA, "")
    assert tickets(chat.desk) == []
    assert outbox(chat.desk) == []


def test_a_40000_character_message_is_stored_whole(chat: Chat) -> None:
    text = "printer error " + "x" * 40_000
    chat.say(DANA, text)
    [ticket] = tickets(chat.desk)
    assert ticket["description"] == text
    assert len(ticket["title"]) <= 80


def test_control_characters_and_broken_unicode_are_stored_safely(chat: Chat) -> None:
    chat.say(DANA, "vpn\x00 is \x1b[31mbroken\udcff")
    [ticket] = tickets(chat.desk)
    assert ticket["description"] == "vpn is [31mbroken?"


def test_messages_outside_intake_channels_open_nothing(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on", channel="random")
    assert tickets(chat.desk) == []


def test_a_direct_message_opens_a_ticket(chat: Chat) -> None:
    chat.desk.handle_message(Inbound(platform="console", event_id="dm-1", channel="dm-dana", message_id="dm-1",
                                     author=DANA, text="my printer is broken", is_direct=True))
    assert tickets(chat.desk)[0]["category"] == "hardware"


def test_an_agents_reply_under_the_triage_card_is_an_internal_note(chat: Chat) -> None:
    from core.outbox import mark_sent

    chat.say(DANA, "my laptop won't turn on")
    card = next(r for r in outbox(chat.desk) if r.card_key.startswith("triage:"))
    chat.desk.db.run(lambda s: mark_sent(s, outbox_id=card.id, message_id="card-1", channel="it-triage",
                                         now=chat.desk.clock.now()))
    chat.say(SAM, "looks like the PSU", thread="card-1", channel="it-triage")
    assert comments(chat.desk, 1) == [("looks like the PSU", True)]


def test_confident_suggestions_are_offered_and_counted(chat: Chat, knowledge: FakeKnowledgeBase) -> None:
    knowledge.suggestions["vpn"] = [Suggestion(slug="vpn-drops", title="VPN keeps dropping", score=0.9)]
    chat.say(DANA, "vpn keeps dropping since this morning")
    assert any("These articles may help" in t for t in outbox_texts(chat.desk))
    assert ("vpn-drops", "suggested", "") in knowledge.recorded


def test_no_suggestion_card_when_nothing_is_confident(chat: Chat) -> None:
    chat.say(DANA, "vpn keeps dropping since this morning")
    assert not any("These articles may help" in t for t in outbox_texts(chat.desk))


def test_cards_keep_the_order_suggestions_were_offered_in_after_any_change(
    chat: Chat, knowledge: FakeKnowledgeBase
) -> None:
    knowledge.suggestions["vpn"] = [Suggestion(slug="vpn-drops", title="VPN keeps dropping", score=0.7),
                                    Suggestion(slug="vpn-client", title="Update the VPN client", score=0.9)]
    chat.say(DANA, "vpn keeps dropping")
    chat.desk_command(SAM, "claim INC-1")
    chat.desk_command(SAM, "priority INC-1 2 2")
    triage = [r.card for r in outbox(chat.desk) if r.card_key.startswith("triage:")]
    assert len(triage) == 3
    for card in triage:
        assert ["Suggested articles", "VPN keeps dropping, Update the VPN client"] in card["fields"]
