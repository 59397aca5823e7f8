"""The SLA sweep through the desk: warnings, breaches and escalations, each exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from core.clock import ManualClock
from core.config.sla import Team
from core.scheduling.jobs import run_all
from core.service import Desk
from core.sla.sweep import sweep_sla
from tests.conftest import SAM, Chat
from tests.integration.sla_helpers import audit_actions, desk_settings, events, report_p1, sent, ticket


def test_warning_and_breach_each_fire_once_across_a_restart(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    settings = desk_settings()
    desk = make_desk(database_url, settings=settings)
    report_p1(Chat(desk))  # Monday 09:00: first response due 09:15, warned at 09:11:15

    clock.advance(timedelta(minutes=11))
    sweep_sla(desk)
    assert events(desk) == []
    clock.advance(timedelta(minutes=1))
    sweep_sla(desk)
    sweep_sla(desk)
    restarted = make_desk(database_url, settings=settings)
    sweep_sla(restarted)
    assert events(desk) == [(1, "first_response", "warning")]
    [warning] = sent(desk, title_starts="SLA warning: INC-1")
    assert warning.channel == "it-triage"
    why = "80% of the first response target (15 business minutes) is used; due Mon 2 Mar 09:15 UTC."
    assert ["Why", why] in warning.card["fields"]

    clock.advance(timedelta(minutes=4))
    sweep_sla(restarted)
    again = make_desk(database_url, settings=settings)
    sweep_sla(again)
    run_all(again)
    assert events(desk) == [(1, "first_response", "warning"), (1, "first_response", "breach")]
    assert len(sent(desk, title_starts="SLA warning: INC-1")) == 1
    assert len(sent(desk, title_starts="Escalated to Network: INC-1")) == 1
    assert len(sent(desk, text_has="Your ticket has been escalated to the Network team.")) == 1


def test_an_escalated_tickets_new_team_sees_the_card_in_its_channel_with_on_call_mentioned(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = make_desk(database_url, settings=desk_settings())
    report_p1(Chat(desk))
    clock.advance(timedelta(minutes=15))
    sweep_sla(desk)

    [card] = sent(desk, title_starts="Escalated to Network: INC-1")
    assert (card.platform, card.channel, card.thread_audience) == ("console", "it-network", "agents")
    assert card.card["mentions"] == ["nora"]
    assert ["Claim", "claim INC-1", "primary", None] in card.card["buttons"]
    [told] = sent(desk, text_has="Your ticket has been escalated to the Network team.")
    assert told.thread == "m1"  # the requester's own thread
    found = ticket(desk)
    assert (found.team, found.tier) == ("network", 2)
    assert ("escalate", "service-desk", "network") in audit_actions(desk)
    assert ("sla_breach", "", "2026-03-02T09:15:00+00:00") in audit_actions(desk)


def test_a_breach_past_the_warning_skips_the_warning(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = make_desk(database_url, settings=desk_settings())
    report_p1(Chat(desk))
    clock.advance(timedelta(hours=1))  # spoc was down through the warning and the breach
    run_all(desk)
    assert events(desk) == [(1, "first_response", "breach")]
    assert sent(desk, title_starts="SLA warning") == []


def test_the_resolution_breach_escalates_one_tier_more_and_warns_the_assignee_directly(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = make_desk(database_url, settings=desk_settings())
    chat = Chat(desk)
    report_p1(chat)
    chat.desk_command(SAM, "claim INC-1")  # the first response: only the resolution clock runs
    clock.advance(timedelta(hours=3))
    sweep_sla(desk)
    [direct] = sent(desk, text_has="INC-1: resolution due Mon 2 Mar 13:00 UTC")
    assert (direct.user_id, direct.channel) == ("sam", "")
    clock.advance(timedelta(hours=1))
    sweep_sla(desk)
    assert events(desk) == [(1, "resolution", "warning"), (1, "resolution", "breach")]
    found = ticket(desk)
    assert (found.team, found.tier) == ("network", 2)  # the tier-2 team for network tickets
    assert [r.channel for r in sent(desk, title_starts="Escalated to")] == ["it-network"]


def test_at_the_top_tier_a_breach_is_posted_to_the_team_without_escalating(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    only = (Team(name="service-desk", display="Service Desk", tier=1, on_call="Sam"),)
    desk = make_desk(database_url, settings=desk_settings(teams=only))
    report_p1(Chat(desk))
    clock.advance(timedelta(minutes=20))
    sweep_sla(desk)
    [card] = sent(desk, title_starts="SLA breached: INC-1")
    assert (card.channel, card.card["mentions"]) == ("it-triage", ["sam"])
    assert (ticket(desk).team, ticket(desk).tier) == ("service-desk", 1)
    assert sent(desk, text_has="escalated") == []


def test_a_ticket_on_hold_neither_warns_nor_breaches(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = make_desk(database_url, settings=desk_settings())
    chat = Chat(desk)
    report_p1(chat)
    chat.desk_command(SAM, "claim INC-1")
    chat.desk_command(SAM, "hold INC-1 waiting for the carrier")
    clock.advance(timedelta(hours=6))
    run_all(desk)
    assert [e for e in events(desk) if e[1] == "resolution"] == []
