"""Due dates through the desk: business hours, holidays, holds, priority changes and what people read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.clock import ManualClock
from core.messages import CommandRequest
from core.service import Desk
from tests.conftest import DANA, SAM, Chat
from tests.integration.sla_helpers import desk_settings, move_to, report_p1, sent, ticket

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def test_p1_reported_friday_half_past_four_is_due_monday_half_past_twelve(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings(time_zone="Europe/Berlin")))
    move_to(clock, berlin(3, 6, 16, 30))  # a Friday
    report_p1(chat)
    found = ticket(chat.desk)
    assert found.priority == "P1"
    assert found.first_response_due == berlin(3, 6, 16, 45)
    assert found.resolution_due == berlin(3, 9, 12, 30)  # 30 minutes on Friday, 3.5 hours on Monday
    [opened] = sent(chat.desk, text_has="INC-1 opened")
    assert "First response within 15 business minutes." in opened.card["text"]
    [triage] = sent(chat.desk, title_starts="INC-1 ·")
    assert ["SLA due", "first response by Fri 6 Mar 16:45 CET, resolution by Mon 9 Mar 12:30 CET"] \
        in triage.card["fields"]


def test_a_holiday_is_skipped(make_desk: Callable[..., Desk], database_url: str, clock: ManualClock) -> None:
    settings = desk_settings(time_zone="Europe/Berlin", holidays=(date(2026, 3, 9),))
    chat = Chat(make_desk(database_url, settings=settings))
    move_to(clock, berlin(3, 6, 16, 30))
    report_p1(chat)
    assert ticket(chat.desk).resolution_due == berlin(3, 10, 12, 30)


def test_public_holidays_of_the_configured_country_are_skipped(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings(time_zone="Europe/Berlin", country="DE")))
    move_to(clock, berlin(4, 2, 16, 30))  # the Thursday before Good Friday and Easter Monday
    report_p1(chat)
    assert ticket(chat.desk).resolution_due == berlin(4, 7, 12, 30)


def test_time_on_hold_is_excluded_from_the_due_date(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings()))
    chat.say(DANA, "my laptop won't turn on")  # P3: 24 business hours, Monday 09:00 UTC
    chat.desk_command(SAM, "claim INC-1")
    assert ticket(chat.desk).resolution_due == datetime(2026, 3, 4, 17, 0, tzinfo=ZoneInfo("UTC"))
    clock.advance(timedelta(hours=1))
    chat.desk_command(SAM, "hold INC-1 waiting for the part")
    held = ticket(chat.desk)
    assert (held.resolution_due, held.sla_check_at) == (None, None)
    clock.advance(timedelta(hours=4))
    chat.desk_command(SAM, "resume INC-1")
    assert ticket(chat.desk).resolution_due == datetime(2026, 3, 5, 13, 0, tzinfo=ZoneInfo("UTC"))


def test_a_priority_change_moves_the_due_dates(make_desk: Callable[..., Desk], database_url: str) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings()))
    chat.say(DANA, "my laptop won't turn on")
    before = ticket(chat.desk).resolution_due
    chat.desk_command(SAM, "priority INC-1 1 1")
    after = ticket(chat.desk)
    assert before is not None and after.resolution_due is not None and after.resolution_due < before
    assert after.resolution_due == datetime(2026, 3, 2, 13, 0, tzinfo=ZoneInfo("UTC"))


def test_the_first_response_stops_its_clock_and_show_gives_what_is_due(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings()))
    report_p1(chat)
    clock.advance(timedelta(minutes=5))
    chat.desk_command(SAM, "comment INC-1 looking at the core switch now")
    found = ticket(chat.desk)
    assert found.first_response_at == clock.now() and found.first_response_due is None
    assert "SLA due: resolution by Mon 2 Mar 13:00 UTC" in _fields(chat, "show INC-1")


def test_reopening_runs_the_resolution_clock_on_from_where_it_stopped(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings()))
    report_p1(chat)
    chat.desk_command(SAM, "claim INC-1")
    clock.advance(timedelta(hours=1))
    chat.desk_command(SAM, "resolve INC-1 restarted the switch")
    assert ticket(chat.desk).resolution_due is None
    clock.advance(timedelta(hours=2))
    chat.desk_command(DANA, "reject INC-1 down again")
    # one hour used before the resolve; three left from 12:00
    assert ticket(chat.desk).resolution_due == datetime(2026, 3, 2, 15, 0, tzinfo=ZoneInfo("UTC"))


def _fields(chat: Chat, command: str) -> str:
    reply = chat.desk.handle_command(CommandRequest(platform="console", event_id=f"f-{command}", author=SAM,
                                                    text=command, channel="it-help"))
    assert reply.card is not None
    return "\n".join(f"{f.label}: {f.value}" for f in reply.card.fields)


def test_mine_lists_what_is_due_first_before_what_is_more_urgent_later(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    chat = Chat(make_desk(database_url, settings=desk_settings()))
    chat.say(DANA, "my laptop won't turn on")  # P3, claimed at once: resolution due Wednesday 17:00
    chat.desk_command(SAM, "claim INC-1")
    clock.advance(timedelta(days=2, hours=7))  # Wednesday 16:00
    report_p1(chat)  # P1: due 16:15 (first response), before INC-1 at 17:00
    chat.desk_command(SAM, "claim INC-2")  # responded: resolution due Thursday 12:00, after INC-1
    mine = chat.desk_command(SAM, "mine")
    assert mine.index("INC-1 P3") < mine.index("INC-2 P1")
