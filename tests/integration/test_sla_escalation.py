"""`/desk escalate` and `/desk deescalate`: the ticket changes hands, the history travels with it."""

from __future__ import annotations

from collections.abc import Callable

from core.service import Desk
from tests.conftest import DANA, SAM, Chat
from tests.integration.helpers import comments
from tests.integration.sla_helpers import audit_actions, desk_settings, report_p1, sent, ticket


def test_escalate_goes_one_tier_up_and_tells_the_requester_who_has_it_but_not_why(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings()))
    report_p1(chat)
    answer = chat.desk_command(SAM, "escalate INC-1 core switch needs a vendor engineer")
    assert answer == "INC-1 escalated to Network (tier 2)."
    assert (ticket(chat.desk).team, ticket(chat.desk).tier) == ("network", 2)
    [card] = sent(chat.desk, title_starts="Escalated to Network: INC-1")
    assert card.channel == "it-network" and card.card["mentions"] == ["nora"]
    assert ["Why", "core switch needs a vendor engineer"] in card.card["fields"]
    to_requester = [r for r in sent(chat.desk) if r.thread == "m1"]
    assert to_requester[-1].card["text"] == "Your ticket has been escalated to the Network team."
    assert not any("vendor engineer" in (r.card.get("text") or "") for r in to_requester)
    note = ("Escalated to Network (tier 2): core switch needs a vendor engineer", True)
    assert note in comments(chat.desk, 1)
    assert "vendor engineer" not in chat.desk_command(DANA, "show INC-1")


def test_escalate_takes_a_team_or_a_tier(make_desk: Callable[..., Desk], database_url: str) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings()))
    report_p1(chat)
    assert chat.desk_command(SAM, "escalate INC-1 tier3 the data centre uplink") == \
        "INC-1 escalated to Infrastructure (tier 3)."
    assert chat.desk_command(SAM, "escalate INC-1 Workplace") == \
        "Workplace is tier 2, below INC-1's tier 3: `/desk deescalate INC-1` hands it back."
    assert chat.desk_command(SAM, "escalate INC-1 infrastructure") == "INC-1 already is with Infrastructure."
    assert [a for a in audit_actions(chat.desk) if a[0] == "escalate"] == \
        [("escalate", "service-desk", "infrastructure")]


def test_deescalate_hands_back_step_by_step_to_the_first_line(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings()))
    report_p1(chat)
    chat.desk_command(SAM, "escalate INC-1")
    chat.desk_command(SAM, "escalate INC-1")
    assert (ticket(chat.desk).team, ticket(chat.desk).tier) == ("infrastructure", 3)
    assert chat.desk_command(SAM, "deescalate INC-1 fixed upstream, user needs help") == \
        "INC-1 is back with Network (tier 2)."
    assert chat.desk_command(SAM, "deescalate INC-1") == "INC-1 is back with Service Desk (tier 1)."
    assert chat.desk_command(SAM, "deescalate INC-1") == \
        "INC-1 is with the first line already; nothing to hand back."
    assert [(a, old, new) for a, old, new in audit_actions(chat.desk) if "escalate" in a] == [
        ("escalate", "service-desk", "network"), ("escalate", "network", "infrastructure"),
        ("deescalate", "infrastructure", "network"), ("deescalate", "network", "service-desk"),
    ]
    assert sent(chat.desk, text_has="Your ticket is now with the Service Desk team.")


def test_escalating_to_an_unknown_team_is_refused_and_changes_nothing(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings()))
    report_p1(chat)
    assert chat.desk_command(SAM, "escalate INC-1 7") == (
        "No team has tier 7. Teams: service-desk (tier 1), network (tier 2), workplace (tier 2), "
        "infrastructure (tier 3).")
    assert chat.desk_command(DANA, "escalate INC-1") == \
        "Only IT agents can use `/desk escalate`. `/desk help` shows what you can do."
    assert (ticket(chat.desk).team, ticket(chat.desk).tier) == ("service-desk", 1)


def test_the_agent_card_has_an_escalate_button_whose_twin_is_the_command(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings()))
    report_p1(chat)
    [triage] = sent(chat.desk, title_starts="INC-1 ·")
    [button] = [b for b in triage.card["buttons"] if b[0] == "Escalate"]
    assert button[1] == "escalate INC-1" and button[3]
    assert chat.desk_command(SAM, f"{button[1]} network the AP is dead") == \
        "INC-1 escalated to Network (tier 2)."
