"""`/desk report` in chat, and the leads' weekly digest sent by the scheduler."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from core.cards import Card
from core.clock import ManualClock
from core.config.reports import ReportSettings
from core.messages import CommandRequest
from core.reports import charts
from core.reports.weekly import latest_send_time, send_weekly_report
from core.scheduling.jobs import run_all
from core.service import Desk
from core.settings import DeskSettings
from core.storage.blobs import read_blobs
from core.storage.models import OutboxRow
from tests.conftest import DANA, DEFAULT_PEOPLE, SAM, Chat
from tests.fakes import FakeKnowledgeBase
from tests.integration.helpers import outbox
from tests.integration.report_helpers import LEE, build_week, utc

PNG = b"\x89PNG\r\n\x1a\n"


def charts_sent(desk: Desk) -> list[OutboxRow]:
    return [r for r in outbox(desk) if r.card.get("attachments")]


def stored(desk: Desk, row: OutboxRow) -> bytes:
    """The bytes of the file a notification carries, as the database holds them (no path travels)."""
    [[name, media_type, digest]] = row.card["attachments"]
    assert (name, media_type) == ("tickets-per-day.png", "image/png")
    return desk.db.run(lambda s: read_blobs(s, [digest]))[digest]


def settings(tmp_path: Path, **reports: object) -> DeskSettings:
    return DeskSettings(people=DEFAULT_PEOPLE, reports=ReportSettings(charts_dir=str(tmp_path / "charts"),
                                                                       **reports))  # type: ignore[arg-type]


def command(desk: Desk, author: object, text: str) -> tuple[str, Card | None]:
    reply = desk.handle_command(CommandRequest(platform="console", event_id=f"c-{text}", author=author,  # type: ignore[arg-type]
                                               text=text, channel="it-leads"))
    return reply.text, reply.card


def test_a_lead_gets_the_report_card_and_the_chart_directly(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock, knowledge: FakeKnowledgeBase,
    tmp_path: Path,
) -> None:
    desk = make_desk(database_url, settings=settings(tmp_path))
    build_week(desk, clock, knowledge)
    _, card = command(desk, LEE, "report 7d")
    assert card is not None and card.title.startswith("IT service report: 2026-02-24 17:00 to 2026-03-03 17:00")
    fields = dict((f.label, f.value) for f in card.fields)
    assert fields["Tickets"] == "6 opened · 5 resolved · 2 closed · 1 reopened"
    assert fields["MTTA (report to first response)"] == "4h 10m business, 9h 30m wall-clock (3 tickets)"
    assert fields["MTTR (report to resolved)"] == "8h 40m business, 19h 20m wall-clock (3 tickets)"
    assert fields["SLA met by priority (response / resolution)"] == "P1 - / - · P2 - / - · P3 66.7% / 100% · P4 0% / -"
    assert fields["First-contact resolution"] == "33.3% (1 of 3 resolved)"
    assert fields["Deflection"] == "16.7% (1 of 6 reports solved by an article)"
    assert fields["CSAT"] == "3.5 / 5, 50% satisfied (2 of 2 closed tickets rated)"
    assert fields["Backlog"] == "1 open: 1 1-3 days"
    [chart] = charts_sent(desk)
    assert (chart.platform, chart.user_id) == ("console", "lee")
    assert stored(desk, chart).startswith(PNG)
    assert not (tmp_path / "charts").exists()  # nothing is written to disk for chat


def test_report_takes_a_range_and_filters_and_refuses_what_it_cannot_read(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock, knowledge: FakeKnowledgeBase,
    tmp_path: Path,
) -> None:
    desk = make_desk(database_url, settings=settings(tmp_path, charts=False))
    build_week(desk, clock, knowledge)
    _, card = command(desk, SAM, "report 2026-03-02..2026-03-03 --team network")
    assert card is not None and card.text == "Scope: team network."
    assert dict((f.label, f.value) for f in card.fields)["Tickets"].startswith("1 opened")
    assert not charts_sent(desk)
    assert command(desk, SAM, "report 3x")[0].startswith("Cannot read '3x' as a time")
    assert command(desk, SAM, "report --team nope")[0].startswith("No team 'nope'")
    assert command(desk, DANA, "report")[0].startswith("Only IT agents can use `/desk report`")


def test_the_weekly_digest_goes_to_the_leads_once_a_week(
    make_desk: Callable[..., Desk], database_url: str, clock: ManualClock, tmp_path: Path,
) -> None:
    desk = make_desk(database_url, settings=settings(tmp_path, leads_channels={"console": "it-leads",
                                                                             "elsewhere": "C1"}))
    Chat(desk).say(DANA, "my laptop won't turn on")
    # Monday 09:00: this week's digest (due 08:00) goes out at once, and only once.
    assert send_weekly_report(desk) == utc(9, 8)
    assert send_weekly_report(desk) == utc(9, 8)
    run_all(make_desk(database_url, settings=settings(tmp_path, leads_channels={"console": "it-leads"})))
    [digest] = [r for r in outbox(desk) if r.channel == "it-leads"]
    assert digest.card["title"].startswith("Weekly IT service report (2026-W10): 2026-02-23 08:00 to 2026-03-02 08:00")
    assert stored(desk, digest).startswith(PNG)
    clock.advance(timedelta(days=7))
    assert send_weekly_report(desk) == utc(16, 8)
    digests = [r.card["title"] for r in outbox(desk) if r.channel == "it-leads"]
    assert len(digests) == 2 and "(2026-W11)" in digests[1]
    assert "1 opened" in [r for r in outbox(desk) if r.channel == "it-leads"][1].card["fields"][0][1]


def test_no_leads_channel_or_no_time_means_no_digest(
    make_desk: Callable[..., Desk], database_url: str, tmp_path: Path,
) -> None:
    assert send_weekly_report(make_desk(database_url, settings=settings(tmp_path))) is None
    quiet = settings(tmp_path, leads_channels={"console": "it-leads"}, weekly_at="")
    assert send_weekly_report(make_desk(database_url, settings=quiet)) is None
    assert not [r for r in outbox(make_desk(database_url)) if r.channel == "it-leads"]


@pytest.mark.parametrize(("now", "expected"), [
    (utc(2, 9), utc(2, 8)),          # Monday after 08:00: today
    (utc(2, 7, 59), utc(2, 8) - timedelta(days=7)),  # Monday before 08:00: last week
    (utc(5, 12), utc(2, 8)),         # Thursday: this Monday
])
def test_the_digest_is_due_at_the_last_monday_eight_oclock(now: datetime, expected: datetime) -> None:
    assert latest_send_time(now, weekday=0, at=time(8), time_zone="UTC") == expected


def test_the_digest_time_is_local_across_a_change_of_summer_time() -> None:
    # Berlin moves to summer time on Sunday 29 March 2026: Monday 08:00 is then 06:00 UTC, not 07:00.
    assert latest_send_time(utc(30, 9), weekday=0, at=time(8), time_zone="Europe/Berlin") == utc(30, 6)
    assert latest_send_time(utc(27, 9), weekday=0, at=time(8), time_zone="Europe/Berlin") == utc(23, 7)


def _chart_held_open(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Drawing a chart waits, once started (the first event), until the test lets it finish (the second)."""
    drawing, may_finish = threading.Event(), threading.Event()
    real_chart = charts.chat_chart

    def slow_chart(*args: object, **kwargs: object) -> bytes | None:
        drawing.set()
        assert may_finish.wait(10)
        return real_chart(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(charts, "chat_chart", slow_chart)
    return drawing, may_finish


def test_a_report_being_drawn_holds_no_write_lock_so_reports_keep_arriving(
    make_desk: Callable[..., Desk], sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = make_desk(sqlite_url, settings=settings(tmp_path))
    drawing, may_finish = _chart_held_open(monkeypatch)
    answers: list[str] = []
    lead = threading.Thread(target=lambda: answers.append(command(desk, SAM, "report 7d")[1].footer))  # type: ignore[union-attr]
    lead.start()
    assert drawing.wait(10)
    Chat(desk).say(DANA, "my laptop won't turn on")  # would wait for the lock (and fail after 5 s) if held
    assert [r.ticket_key for r in outbox(desk) if r.ticket_key] == ["INC-1", "INC-1"]
    may_finish.set()
    lead.join(10)
    assert answers and answers[0].startswith("The chart of tickets per day is on its way to you.")
    assert [r.user_id for r in charts_sent(desk)] == ["sam"]


def test_the_weekly_digest_being_drawn_holds_no_write_lock(
    make_desk: Callable[..., Desk], sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = make_desk(sqlite_url, settings=settings(tmp_path, leads_channels={"console": "it-leads"}))
    drawing, may_finish = _chart_held_open(monkeypatch)
    sent: list[object] = []
    job = threading.Thread(target=lambda: sent.append(send_weekly_report(desk)))
    job.start()
    assert drawing.wait(10)
    Chat(desk).say(DANA, "my laptop won't turn on")
    assert [r.ticket_key for r in outbox(desk) if r.ticket_key] == ["INC-1", "INC-1"]
    may_finish.set()
    job.join(10)
    assert sent == [utc(9, 8)]
    assert len([r for r in outbox(desk) if r.channel == "it-leads"]) == 1


def test_a_report_request_delivered_twice_is_answered_once(
    make_desk: Callable[..., Desk], database_url: str, tmp_path: Path,
) -> None:
    desk = make_desk(database_url, settings=settings(tmp_path))
    first, _ = command(desk, SAM, "report 7d")
    again, card = command(desk, SAM, "report 7d")
    assert (again, card) == ("Already done (this request arrived twice).", None)
    assert len(charts_sent(desk)) == 1
