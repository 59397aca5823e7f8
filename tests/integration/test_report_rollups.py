"""A report added up from stored tallies of finished days equals the one counted from every ticket, also
after the history of days already stored changes (a reopening, a new category, a trail row written late)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from core.clock import ManualClock
from core.reports import report as report_module
from core.reports.period import Period, ReportFilter
from core.reports.report import Report, build_report
from core.reports.tallies import counted
from core.service import Desk
from core.settings import DeskSettings
from core.storage.models import AuditRow, TicketRow
from core.storage.report_models import ReportRolledDayRow
from tests.conftest import DEFAULT_PEOPLE, SAM, Chat
from tests.fakes import FakeKnowledgeBase
from tests.integration.report_helpers import ANN, at, build_week, utc

# Sunday noon to Thursday 06:00: Monday to Wednesday whole, the two ends counted from the tickets.
ACROSS = Period(since=utc(1, 12), until=utc(5, 6))
FILTERS = (ReportFilter(), ReportFilter(team="network"), ReportFilter(kind="incident"),
           ReportFilter(category="hardware"), ReportFilter(platform="console"))


@pytest.fixture
def week(make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
         knowledge: FakeKnowledgeBase) -> tuple[Desk, Chat]:
    desk = make_desk(database_url, settings=DeskSettings(people=DEFAULT_PEOPLE))
    return desk, build_week(desk, clock, knowledge)


def both_ways(desk: Desk, monkeypatch: pytest.MonkeyPatch, filters: ReportFilter) -> tuple[Report, Report]:
    def report() -> Report:
        return desk.db.run(lambda session: build_report(session, desk.deps.settings, period=ACROSS, filters=filters,
                                                        now=desk.clock.now()))

    kept = report()
    with monkeypatch.context() as patched:
        patched.setattr(report_module, "tallies", lambda session, settings, *, period, filters, clock: counted(
            session, settings, period=period, filters=filters))
        return kept, report()


def same(kept: Report, counted_now: Report) -> None:
    assert _figures(kept.to_dict()) == _figures(counted_now.to_dict())


def _figures(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _figures(v) for k, v in data.items() if k != "generated_at"}
    if isinstance(data, list | tuple):
        return [_figures(v) for v in data]
    if isinstance(data, float):
        return pytest.approx(data, abs=0.002)  # means are rounded to the millisecond; sums may add up apart
    return data


def stored_days(desk: Desk) -> int:
    return desk.db.run(lambda session: session.scalar(select(func.count()).select_from(ReportRolledDayRow)))


def test_a_report_from_stored_days_equals_one_counted_from_every_ticket(
        week: tuple[Desk, Chat], monkeypatch: pytest.MonkeyPatch) -> None:
    desk, _ = week
    for filters in FILTERS:
        kept, counted_now = both_ways(desk, monkeypatch, filters)
        same(kept, counted_now)
    assert stored_days(desk) == 3  # Monday to Wednesday
    assert kept.volume.opened > 0


def test_days_already_stored_are_counted_again_when_their_tickets_change(
        week: tuple[Desk, Chat], monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> None:
    desk, chat = week
    before, _ = both_ways(desk, monkeypatch, ReportFilter())
    at(clock, utc(4, 9))
    chat.desk_command(ANN, "reject INC-3 still dropping")  # resolved on Tuesday, reopened on Wednesday
    chat.desk_command(SAM, "category INC-1 network")  # reported on Monday
    for filters in FILTERS:
        kept, counted_now = both_ways(desk, monkeypatch, filters)
        same(kept, counted_now)
    after = both_ways(desk, monkeypatch, ReportFilter())[0]
    assert after.mttr.count == before.mttr.count - 1
    assert after.volume.reopened == before.volume.reopened + 1


def test_a_trail_row_written_late_for_a_stored_day_is_counted(
        week: tuple[Desk, Chat], monkeypatch: pytest.MonkeyPatch) -> None:
    desk, _ = week
    before, _ = both_ways(desk, monkeypatch, ReportFilter())

    def late(session: Any) -> None:  # a status change on Monday, written on Thursday (as an import would)
        ticket = session.scalar(select(TicketRow).where(TicketRow.requester_id.is_not(None)).order_by(TicketRow.id))
        session.add(AuditRow(ticket_id=ticket.id, at=utc(2, 15), actor_id=None, action="status", field="status",
                             old="new", new="cancelled"))

    desk.db.run(late)
    kept, counted_now = both_ways(desk, monkeypatch, ReportFilter())
    same(kept, counted_now)
    assert kept.volume.cancelled == before.volume.cancelled + 1

