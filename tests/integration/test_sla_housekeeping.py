"""Auto-close, hold reminders and the daily digest, through the desk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from core.clock import ManualClock
from core.scheduling.jobs import run_all
from core.service import Desk
from core.sla.housekeeping import auto_close, remind_holds, send_digests
from tests.conftest import DANA, SAM, Chat
from tests.integration.sla_helpers import desk_settings, events, move_to, report_p1, sent, ticket


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_a_resolved_ticket_nobody_answers_closes_after_n_business_days_and_tells_the_requester(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = make_desk(database_url, settings=desk_settings(auto_close_business_days=3))
    chat = Chat(desk)
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "resolve INC-1 new battery")  # Monday 09:00
    move_to(clock, utc(4, 16, 59))  # Wednesday, a minute before three working days (Mon-Wed) have passed
    assert auto_close(desk) == utc(4, 17)
    assert ticket(desk).status == "resolved"
    move_to(clock, utc(4, 17))
    auto_close(desk)
    run_all(make_desk(database_url, settings=desk_settings(auto_close_business_days=3)))
    found = ticket(desk)
    assert (found.status, found.closed_at) == ("closed", utc(4, 17))
    [told] = sent(desk, text_has="INC-1 was resolved 3 business days ago")
    assert told.thread == "m1"
    assert events(desk) == [(1, "resolution", "auto_close")]


def test_a_confirmed_ticket_is_not_closed_again(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = make_desk(database_url, settings=desk_settings())
    chat = Chat(desk)
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "resolve INC-1 new battery")
    chat.desk_command(DANA, "confirm INC-1")
    clock.advance(timedelta(days=30))
    assert auto_close(desk) is None
    assert events(desk) == []


def test_a_hold_until_a_date_reminds_the_assignee_once_that_morning(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = make_desk(database_url, settings=desk_settings())
    chat = Chat(desk)
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "claim INC-1")
    answer = chat.desk_command(SAM, "hold INC-1 until 2026-03-04 the vendor ships the part")
    assert answer == "INC-1 is on hold until Wed 4 Mar 2026; the SLA clock is paused."
    assert ticket(desk).hold_reason == "the vendor ships the part"
    assert remind_holds(desk) == utc(4, 9)  # the desk opens at nine that day
    move_to(clock, utc(4, 9))
    remind_holds(desk)
    remind_holds(make_desk(database_url, settings=desk_settings()))
    [direct] = sent(desk, text_has="INC-1 was on hold until Wed 4 Mar 2026 (the vendor ships the part)")
    assert direct.user_id == "sam"
    assert events(desk) == [(1, "hold", "reminder")]


def test_a_hold_without_a_date_is_reminded_after_the_configured_business_days(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = make_desk(database_url, settings=desk_settings(hold_reminder_business_days=2))
    chat = Chat(desk)
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "claim INC-1")
    assert chat.desk_command(SAM, "hold INC-1 until the vendor answers") == \
        "INC-1 is on hold; the SLA clock is paused."
    assert ticket(desk).hold_reason == "until the vendor answers"
    move_to(clock, utc(4, 9))
    remind_holds(desk)
    assert len(sent(desk, text_has="INC-1 has been on hold for 2 business days")) == 1


def test_a_hold_until_a_past_or_impossible_date_is_refused_and_changes_nothing(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings()))
    chat.say(DANA, "my laptop won't turn on")
    chat.desk_command(SAM, "claim INC-1")
    assert chat.desk_command(SAM, "hold INC-1 until 2026-03-02 vendor") == \
        "2026-03-02 is not in the future; hold until a later date."
    assert chat.desk_command(SAM, "hold INC-1 until 2026-02-30 vendor") \
        .startswith("'2026-02-30' is not a date")
    assert ticket(chat.desk).status == "in_progress"


def test_each_agent_gets_one_digest_a_working_day_with_the_soonest_due_first(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = make_desk(database_url, settings=desk_settings(digest_at="08:30"))
    chat = Chat(desk)
    chat.say(DANA, "my laptop won't turn on")  # P3
    report_p1(chat)
    chat.desk_command(SAM, "claim INC-1")
    chat.desk_command(SAM, "claim INC-2")
    assert send_digests(desk) == utc(3, 8, 30)  # Monday's, half an hour late: then Tuesday's is next
    move_to(clock, utc(3, 8, 30))
    send_digests(desk)
    send_digests(make_desk(database_url, settings=desk_settings(digest_at="08:30")))
    monday, tuesday = sent(desk, title_starts="Sam, your open tickets")
    assert (monday.created_at, tuesday.created_at, tuesday.user_id) == (utc(2, 9), utc(3, 8, 30), "sam")
    lines = tuesday.card["text"].splitlines()
    assert [line.split()[0] for line in lines] == ["INC-2", "INC-1"]
    assert "resolution overdue since Mon 2 Mar 13:00 UTC" in lines[0]
    move_to(clock, utc(7, 8, 30))  # Saturday: no digest
    assert send_digests(desk) == utc(9, 8, 30)
    assert len(sent(desk, title_starts="Sam, your open tickets")) == 2
