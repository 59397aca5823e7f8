"""The /desk grammar through the desk: permissions, refusals and the work itself."""

from __future__ import annotations

from tests.conftest import DANA, KIM, SAM, Chat
from tests.integration.helpers import comments, outbox_texts, tickets


def report(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")


def test_claim_makes_the_agent_the_assignee_and_tells_the_requester(chat: Chat) -> None:
    report(chat)
    assert chat.desk_command(SAM, "claim INC-1") == "You have INC-1."
    assert tickets(chat.desk)[0]["assignee"] == "Sam"
    assert tickets(chat.desk)[0]["status"] == "in_progress"
    assert any("Sam from IT is working on this." in t for t in outbox_texts(chat.desk))


def test_unknown_command_suggests_the_closest_verb(chat: Chat) -> None:
    assert chat.desk_command(SAM, "calim INC-1") == \
        "Unknown command 'calim'. Did you mean `/desk claim`? `/desk help` lists them all."


def test_unknown_ticket_key_is_named(chat: Chat) -> None:
    assert chat.desk_command(SAM, "claim INC-999") == "No ticket INC-999. `/desk mine` lists yours."


def test_illegal_transition_names_status_and_allowed_steps_and_changes_nothing(chat: Chat) -> None:
    report(chat)
    answer = chat.desk_command(SAM, "hold INC-1 waiting")
    assert answer.startswith("INC-1 is new; it cannot become on hold")
    assert "Allowed next: in progress (claim/resume/reopen)" in answer
    assert chat.desk_command(SAM, "resume INC-1") == "INC-1 is new, not on hold; there is nothing to resume."
    assert tickets(chat.desk)[0]["status"] == "new"


def test_a_requester_cannot_claim_and_is_told_why(chat: Chat) -> None:
    report(chat)
    assert chat.desk_command(DANA, "claim INC-1") == \
        "Only IT agents can use `/desk claim`. `/desk help` shows what you can do."
    assert tickets(chat.desk)[0]["assignee"] is None


def test_a_requester_may_comment_on_their_own_ticket_but_not_on_others(chat: Chat) -> None:
    report(chat)
    assert chat.desk_command(DANA, "comment INC-1 it beeps three times") == "Comment added to INC-1."
    assert chat.desk_command(KIM, "comment INC-1 me too").startswith("INC-1 is not your ticket")
    assert comments(chat.desk, 1) == [("it beeps three times", False)]


def test_an_internal_note_is_never_shown_to_the_requester(chat: Chat) -> None:
    report(chat)
    chat.desk_command(SAM, "note INC-1 vendor case 8812")
    assert "vendor case 8812" not in chat.desk_command(DANA, "show INC-1")
    assert "vendor case 8812" in chat.desk_command(SAM, "show INC-1")


def test_hold_pauses_with_a_reason_the_requester_hears(chat: Chat) -> None:
    report(chat)
    chat.desk_command(SAM, "claim INC-1")
    chat.desk_command(SAM, "hold INC-1 waiting for the vendor")
    assert tickets(chat.desk)[0]["status"] == "on_hold"
    assert any("INC-1 is on hold: waiting for the vendor" in t for t in outbox_texts(chat.desk))
    chat.desk_command(SAM, "resume INC-1")
    assert tickets(chat.desk)[0]["status"] == "in_progress"


def test_resolve_asks_is_it_fixed_and_no_reopens_with_the_reason(chat: Chat) -> None:
    report(chat)
    chat.desk_command(SAM, "claim INC-1")
    chat.desk_command(SAM, "resolve INC-1 replaced the power supply")
    assert any("INC-1 is resolved. Is it fixed?" in t for t in outbox_texts(chat.desk))
    assert chat.desk_command(DANA, "reject INC-1 still dead") == "INC-1 is open again; IT has been told."
    assert tickets(chat.desk)[0]["status"] == "in_progress"
    assert any("Dana reopened INC-1: still dead" in t for t in outbox_texts(chat.desk)) or \
        ("Reopened: still dead", False) in comments(chat.desk, 1)


def test_confirm_closes_a_resolved_ticket(chat: Chat) -> None:
    report(chat)
    chat.desk_command(SAM, "resolve INC-1 fixed")
    assert chat.desk_command(DANA, "confirm INC-1") == "Thanks! INC-1 is closed."
    assert tickets(chat.desk)[0]["status"] == "closed"


def test_an_agent_correction_is_told_to_the_requester_again(chat: Chat) -> None:
    report(chat)
    chat.desk_command(SAM, "priority INC-1 1 1")
    chat.desk_command(SAM, "kind INC-1 request")
    chat.desk_command(SAM, "category INC-1 software")
    [ticket] = tickets(chat.desk)
    assert (ticket["priority"], ticket["key"], ticket["category"]) == ("P1", "REQ-1", "software")
    texts = outbox_texts(chat.desk)
    assert any("IT corrected the priority of INC-1: INC-1 is now hardware, incident, P1. First response within"
               in t for t in texts)
    assert any("IT corrected the kind of INC-1: REQ-1 is now hardware, request, P1." in t for t in texts)
    assert any("IT corrected the category of REQ-1: REQ-1 is now software, request, P1." in t for t in texts)
    assert chat.desk_command(SAM, "show INC-1").startswith("REQ-1")


def test_assign_names_an_agent_and_refuses_a_requester(chat: Chat) -> None:
    report(chat)
    assert chat.desk_command(SAM, "assign INC-1 lee") == "INC-1 assigned to Lee."
    assert chat.desk_command(SAM, "assign INC-1 dana") == \
        "Dana is not an agent; tickets can only be assigned to agents."


def test_a_second_claim_is_refused_and_names_the_owner(chat: Chat) -> None:
    report(chat)
    chat.desk_command(SAM, "claim INC-1")
    lee = SAM.__class__(platform="console", user_id="lee", display_name="Lee")
    assert chat.desk_command(lee, "claim INC-1").startswith("INC-1 is already claimed by Sam.")


def test_mine_and_queue_order_by_priority(chat: Chat) -> None:
    chat.say(DANA, "my laptop won't turn on")
    chat.say(KIM, "urgent: email is down for everyone")
    queue = chat.desk_command(SAM, "queue")
    assert queue.index("INC-2 P1") < queue.index("INC-1 P3")
    assert "INC-1" in chat.desk_command(DANA, "mine") and "INC-2" not in chat.desk_command(DANA, "mine")


def test_help_is_generated_from_the_handlers_and_hides_agent_verbs_from_requesters(chat: Chat) -> None:
    agent_help = chat.desk_command(SAM, "help")
    assert "/desk claim KEY: Take a ticket" in agent_help
    assert "/desk claim" not in chat.desk_command(DANA, "help")
    assert "Examples:\n  /desk claim INC-42" in chat.desk_command(SAM, "help claim")


def test_mentions_in_user_text_survive_storage_but_are_defused_on_the_console(chat: Chat) -> None:
    from adapters.console.render import render_card
    from core.cards import Card

    chat.say(DANA, "@everyone <!channel> <@U123> printer broken")
    assert tickets(chat.desk)[0]["description"].startswith("@everyone")
    shown = render_card(Card(title=tickets(chat.desk)[0]["title"]))
    assert "@everyone" not in shown and "<!channel>" not in shown and "<@U123>" not in shown


def test_new_opens_a_ticket_with_the_options_the_reporter_chose(chat: Chat) -> None:
    answer = chat.desk_command(DANA, "new --kind request --category software --urgency 1 please install visio")
    assert answer == "REQ-1 opened. You will hear about it in its thread."
    [ticket] = tickets(chat.desk)
    assert (ticket["kind"], ticket["category"], ticket["description"]) == ("request", "software",
                                                                           "please install visio")


def test_new_refuses_an_unknown_category_and_opens_nothing(chat: Chat) -> None:
    answer = chat.desk_command(DANA, "new --category plumbing the sink leaks")
    assert answer.startswith("No category 'plumbing'. Known: ")
    assert tickets(chat.desk) == []
