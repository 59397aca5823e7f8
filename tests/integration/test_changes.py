"""Planned changes: approval by the configured approvers, and announcements that go out exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.clock import ManualClock
from core.itsm.change_views import time_left
from core.itsm.notices import announce_changes
from core.scheduling.jobs import run_all
from core.service import Desk
from core.storage.itsm_models import ChangeNoticeRow, ChangeRow
from tests.conftest import DANA, KIM, SAM, Chat
from tests.integration.helpers import tickets
from tests.integration.itsm_helpers import ANA_AUTHOR, LEE, PRIYA_AUTHOR, itsm_desk, rows
from tests.integration.sla_helpers import move_to

START = datetime(2026, 3, 7, 22, 0, tzinfo=UTC)  # Saturday evening; the test clock starts Monday 09:00
NEW = ('change new --service wifi --start 2026-03-07T22:00 --end 2026-03-07T23:00 --risk medium '
       '--plan "upgrade both controllers, one at a time" --rollback "reinstall 8.10" '
       'Upgrade the Wi-Fi controllers')


def desk_with(make_desk: Callable[..., Desk], url: str, **overrides: Any) -> Desk:
    values: dict[str, Any] = {"change_approvers": ("Lee", "Priya")} | overrides
    return itsm_desk(make_desk, url, **values)


def state(desk: Desk, number: int = 1) -> str:
    return desk.db.run(lambda s: s.get(ChangeRow, number).state)


def notices(desk: Desk) -> list[str]:
    return desk.db.run(lambda s: list(s.scalars(select(ChangeNoticeRow.mark).order_by(ChangeNoticeRow.id))))


def test_a_change_request_goes_to_each_approver_directly_with_approve_and_reject(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(desk_with(make_desk, database_url))
    assert chat.desk_command(SAM, NEW) == "CHG-1 submitted for approval by any one of Lee, Priya."
    assert tickets(chat.desk)[0]["key"] == "CHG-1" and state(chat.desk) == "awaiting_approval"
    asked = rows(chat.desk, title_starts="Approve CHG-1? Upgrade the Wi-Fi controllers")
    assert [(r.user_id, r.channel) for r in asked] == [("lee", ""), ("priya", "")]
    assert asked[0].card["buttons"] == [["Approve", "change approve CHG-1", "primary", None],
                                        ["Reject", "change reject CHG-1", "danger", "Why reject it?"]]
    shown = dict(asked[0].card["fields"])
    assert (shown["Window"], shown["Risk"], shown["Rollback"]) == \
        ("Sat 7 Mar 22:00 UTC - 23:00 UTC", "medium", "reinstall 8.10")


def test_with_rule_any_one_approval_schedules_it_and_every_approvers_card_says_so(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(desk_with(make_desk, database_url))
    chat.desk_command(SAM, NEW)
    assert chat.desk_command(PRIYA_AUTHOR, "change approve CHG-1") == \
        "You approved CHG-1; it is scheduled for Sat 7 Mar 22:00 UTC - 23:00 UTC."
    assert state(chat.desk) == "scheduled"
    assert rows(chat.desk, text_has="CHG-1 is scheduled for Sat 7 Mar 22:00 UTC - 23:00 UTC (approved by Priya).")
    cards = rows(chat.desk, title_starts="Approve CHG-1?")
    latest = {r.card_key: r for r in cards}
    assert len(latest) == 2 and all(r.card["buttons"] == [] for r in latest.values())
    assert {r.card["footer"] for r in latest.values()} == {"Scheduled (approved by Priya)."}
    assert chat.desk_command(LEE, "change approve CHG-1").startswith("CHG-1 is scheduled; only a change that is "
                                                                   "awaiting approval can be approved")


def test_with_rule_all_every_approver_must_approve(make_desk: Callable[..., Desk], database_url: str) -> None:
    chat = Chat(desk_with(make_desk, database_url, change_approval="all"))
    chat.desk_command(SAM, NEW)
    assert chat.desk_command(LEE, "change approve CHG-1") == "You approved CHG-1; still waiting for Priya."
    assert chat.desk_command(LEE, "change approve CHG-1") == "You already approved CHG-1."
    assert state(chat.desk) == "awaiting_approval"
    assert chat.desk_command(PRIYA_AUTHOR, "change approve CHG-1").endswith("everyone has, so it is scheduled "
                                                                           "for Sat 7 Mar 22:00 UTC - 23:00 UTC.")
    assert state(chat.desk) == "scheduled"


def test_only_approvers_decide(make_desk: Callable[..., Desk], database_url: str) -> None:
    chat = Chat(desk_with(make_desk, database_url))
    chat.desk_command(SAM, NEW)
    assert chat.desk_command(ANA_AUTHOR, "change approve CHG-1") == \
        "Only the change approvers (Lee, Priya) can approve or reject CHG-1."
    assert chat.desk_command(DANA, "change reject CHG-1 no") == \
        "Only the change approvers (Lee, Priya) can approve or reject CHG-1."
    assert state(chat.desk) == "awaiting_approval"


def test_a_rejection_needs_a_reason_the_requester_hears_and_the_change_can_be_submitted_again(
    make_desk: Callable[..., Desk], database_url: str,
) -> None:
    chat = Chat(desk_with(make_desk, database_url))
    chat.desk_command(SAM, NEW)
    assert chat.desk_command(LEE, "change reject CHG-1").startswith("Say why, so the requester can fix it")
    assert chat.desk_command(LEE, "change reject CHG-1 clashes with the payroll run") == \
        "You rejected CHG-1; the requester is told why."
    assert state(chat.desk) == "draft"
    [told] = rows(chat.desk, text_has="CHG-1 was rejected by Lee: clashes with the payroll run.")
    assert told.channel == "it-help"  # where Sam asked for it
    assert rows(chat.desk, title_starts="Approve CHG-1?")[-1].card["footer"] == \
        "Rejected by Lee: clashes with the payroll run"

    assert chat.desk_command(SAM, "change submit CHG-1 --start 2026-03-14T22:00 --end 2026-03-14T23:00") == \
        "CHG-1 submitted for approval by any one of Lee, Priya."
    second = [r for r in rows(chat.desk, title_starts="Approve CHG-1?") if ":approval:2:" in r.card_key]
    assert len(second) == 2 and dict(second[0].card["fields"])["Window"] == "Sat 14 Mar 22:00 UTC - 23:00 UTC"
    chat.desk_command(LEE, "change approve CHG-1")
    assert state(chat.desk) == "scheduled"


def test_a_change_request_names_what_is_missing_or_wrong(make_desk: Callable[..., Desk], database_url: str) -> None:
    chat = Chat(desk_with(make_desk, database_url))
    assert chat.desk_command(SAM, "change new --service wifi --start 2026-03-07T22:00 Upgrade") == \
        "A change needs --end, --risk, --plan, --rollback. `/desk help change new` shows an example."
    assert chat.desk_command(SAM, "change new --service wifi --start tonight x").startswith(
        "--start 'tonight' is not a date and time")
    assert chat.desk_command(SAM, NEW.replace("23:00", "21:00")).startswith("The window must end after it starts")
    assert chat.desk_command(SAM, NEW.replace("medium", "huge")) == "--risk is low, medium or high, not 'huge'."
    assert chat.desk_command(SAM, NEW.replace("wifi", "wlan0")).startswith("No service 'wlan0'.")
    assert chat.desk_command(DANA, NEW).startswith("Only IT agents can use `/desk change new`.")
    assert tickets(chat.desk) == []


def test_announcements_go_out_24h_and_1h_before_and_at_start_and_end_once_across_restarts(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = desk_with(make_desk, database_url)
    chat = Chat(desk)
    chat.desk_command(KIM, "subscribe wifi")
    chat.desk_command(SAM, NEW)
    chat.desk_command(LEE, "change approve CHG-1")
    expected: list[str] = []
    for at, mark, text in ((START - timedelta(hours=24), "before:1440",
                            "Starts in 24 hours, at Sat 7 Mar 22:00 UTC."),
                           (START - timedelta(hours=1), "before:60", "Starts in 1 hour, at Sat 7 Mar 22:00 UTC."),
                           (START, "start", "Starting now, until Sat 7 Mar 23:00 UTC."),
                           (START + timedelta(hours=1), "end", "The window has ended.")):
        move_to(clock, at - timedelta(seconds=1))
        assert announce_changes(desk) == at  # nothing yet; says when
        assert notices(desk) == expected
        move_to(clock, at)
        announce_changes(desk)
        announce_changes(desk)
        restarted = desk_with(make_desk, database_url)
        run_all(restarted)
        expected.append(mark)
        assert notices(desk) == expected
        sent = rows(desk, title_starts="Planned change to Wi-Fi: Upgrade the Wi-Fi controllers (CHG-1)",
                    text_has=text)
        assert {(r.platform, r.channel, r.user_id) for r in sent} == {("console", "it-help", ""),
                                                                       ("console", "", "kim")}
        assert len(sent) == 2
    assert announce_changes(desk) is None


def test_a_change_approved_late_announces_only_the_latest_notice_due(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = desk_with(make_desk, database_url)
    chat = Chat(desk)
    chat.desk_command(SAM, NEW)
    move_to(clock, START - timedelta(minutes=30))
    chat.desk_command(LEE, "change approve CHG-1")
    run_all(desk)
    assert notices(desk) == ["before:1440", "before:60"]
    [sent] = rows(desk, title_starts="Planned change to Wi-Fi")
    assert sent.card["text"] == "Starts in 30 minutes, at Sat 7 Mar 22:00 UTC."


def test_an_unapproved_change_is_never_announced_and_a_cancelled_one_is_called_off(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = desk_with(make_desk, database_url)
    chat = Chat(desk)
    chat.desk_command(SAM, NEW)
    move_to(clock, START - timedelta(hours=2))
    run_all(desk)
    assert notices(desk) == []
    chat.desk_command(LEE, "change approve CHG-1")
    run_all(desk)
    assert chat.desk_command(SAM, "change cancel CHG-1 the vendor postponed") == "CHG-1 cancelled."
    assert rows(desk, title_starts="Cancelled: planned change to Wi-Fi (CHG-1)")
    move_to(clock, START)
    run_all(desk)
    assert notices(desk) == ["before:1440"]
    assert tickets(desk)[0]["status"] == "cancelled"


def test_start_then_complete_closes_the_change_and_the_end_notice_says_it_is_done(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = desk_with(make_desk, database_url)
    chat = Chat(desk)
    chat.desk_command(SAM, NEW)
    assert chat.desk_command(SAM, "change start CHG-1").startswith("CHG-1 is awaiting approval; only a change")
    chat.desk_command(PRIYA_AUTHOR, "change approve CHG-1")
    move_to(clock, START)
    assert chat.desk_command(SAM, "change start CHG-1").startswith("CHG-1 is in progress.")
    assert tickets(desk)[0]["status"] == "in_progress"
    assert chat.desk_command(SAM, "change complete CHG-1 all access points on 8.11") == "CHG-1 completed."
    assert (state(desk), tickets(desk)[0]["status"]) == ("completed", "closed")
    move_to(clock, START + timedelta(hours=1))
    run_all(desk)
    assert rows(desk, title_starts="Planned change to Wi-Fi", text_has="Done: the change is complete.")
    assert "CHG-1 wifi" not in chat.desk_command(SAM, "changes")


def test_a_notice_sent_late_is_worded_from_the_time_actually_left(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
) -> None:
    desk = desk_with(make_desk, database_url)
    chat = Chat(desk)
    chat.desk_command(SAM, NEW)
    move_to(clock, START - timedelta(hours=10, minutes=30))  # approved long after the 24-hour notice was due
    chat.desk_command(LEE, "change approve CHG-1")
    told = rows(desk, text_has="CHG-1 is scheduled for")
    assert told[0].card["text"].endswith("Wi-Fi subscribers will be told now (10 hours 30 minutes ahead), 1 h before, "
                                         "at the start and at the end.")
    run_all(desk)
    [sent] = rows(desk, title_starts="Planned change to Wi-Fi")
    assert sent.card["text"] == "Starts in 10 hours 30 minutes, at Sat 7 Mar 22:00 UTC."


def test_time_left_reads_as_people_say_it() -> None:
    assert [time_left(timedelta(minutes=m)) for m in (0, 1, 30, 60, 61, 630, 24 * 60, 26 * 60, 50 * 60 + 7)] == [
        "less than a minute", "1 minute", "30 minutes", "1 hour", "1 hour 1 minute", "10 hours 30 minutes",
        "24 hours", "26 hours", "2 days 2 hours"]
