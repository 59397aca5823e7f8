"""Every report figure over a small week whose numbers are worked out by hand (see report_helpers)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.clock import ManualClock
from core.reports.figures import AgeBucket, AgentLoad, ArticleUse, DayVolume, SlaLine, Volume
from core.reports.period import Period, ReportFilter, parse_period
from core.reports.report import Report, build_report
from core.reports.scope import read_filters
from core.service import Desk
from core.settings import DeskSettings
from tests.conftest import DEFAULT_PEOPLE
from tests.fakes import FakeKnowledgeBase
from tests.integration.report_helpers import HOUR, MONDAY, REPORTED_AT, build_week, utc

WEEK = Period(since=MONDAY, until=REPORTED_AT)


@pytest.fixture
def week(make_desk: Callable[..., Desk], database_url: str, clock: ManualClock,
         knowledge: FakeKnowledgeBase) -> Desk:
    desk = make_desk(database_url, settings=DeskSettings(people=DEFAULT_PEOPLE))
    build_week(desk, clock, knowledge)
    return desk


def report_of(desk: Desk, period: Period = WEEK, **chosen: str) -> Report:
    def work(session):  # type: ignore[no-untyped-def]
        scope = read_filters(session, desk.deps.settings, chosen)
        return build_report(session, desk.deps.settings, period=period, filters=scope.filters,
                            now=desk.clock.now(), scope=scope.words)

    return desk.db.run(work)


def test_volume_counts_reports_and_each_status_change_of_the_period(week: Desk) -> None:
    # Resolutions: INC-4 (self-service), INC-1, INC-2 twice (before and after its reopening), INC-3.
    assert report_of(week).volume == Volume(opened=6, resolved=5, closed=2, reopened=1, cancelled=1)


def test_tickets_per_day_include_every_day_of_the_period(week: Desk) -> None:
    daily = report_of(week, Period(since=MONDAY, until=utc(5, 0))).daily
    assert daily == (DayVolume("2026-03-02", 6, 2), DayVolume("2026-03-03", 0, 3), DayVolume("2026-03-04", 0, 0))


def test_mtta_counts_report_to_first_response_in_wall_clock_and_business_time(week: Desk) -> None:
    mtta = report_of(week).mtta
    # INC-1 1 h; INC-2 2.5 h; INC-3 Mon 09:00 -> Tue 10:00: 25 h on the wall clock, 8 h + 1 h of business.
    assert mtta.count == 3
    assert mtta.wall_seconds == pytest.approx((1 + 2.5 + 25) / 3 * HOUR)
    assert mtta.business_seconds == pytest.approx((1 + 2.5 + 9) / 3 * HOUR)
    assert "first response" in mtta.measured


def test_mttr_counts_report_to_last_resolution_leaving_self_service_out(week: Desk) -> None:
    report = report_of(week)
    # INC-1 3 h; INC-2 Mon 09:00 -> Tue 14:00 (its hold and reopening included): 29 h, 8 h + 5 h of business;
    # INC-3 -> Tue 11:00: 26 h, 8 h + 2 h. INC-4 was self-service.
    assert report.mttr.count == 3
    assert report.mttr.wall_seconds == pytest.approx((3 + 29 + 26) / 3 * HOUR)
    assert report.mttr.business_seconds == pytest.approx((3 + 13 + 10) / 3 * HOUR)
    by_category = {c.category: (c.count, c.wall_seconds, c.business_seconds) for c in report.mttr_by_category}
    assert by_category == {"hardware": (2, pytest.approx(16 * HOUR), pytest.approx(8 * HOUR)),
                           "network": (1, pytest.approx(26 * HOUR), pytest.approx(10 * HOUR))}


def test_sla_is_met_when_the_clock_stopped_without_a_recorded_breach(week: Desk) -> None:
    sla = {line.priority: line for line in report_of(week).sla}
    # P3: INC-1 and INC-2 answered in time, INC-3 breached (and escalated) by the sweep; all three resolved
    # within 24 business hours. P4: REQ-5 breached its first response; REQ-6 was cancelled unanswered.
    assert sla["P3"] == SlaLine("P3", response_met=2, response_breached=1, resolution_met=3, resolution_breached=0)
    assert (sla["P3"].response_pct, sla["P3"].resolution_pct) == (66.7, 100.0)
    assert sla["P4"] == SlaLine("P4", response_met=0, response_breached=1, resolution_met=0, resolution_breached=0)
    assert sla["P1"].response_pct is None


def test_first_contact_resolution_excludes_reopened_escalated_and_reassigned_tickets(week: Desk) -> None:
    fcr = report_of(week).first_contact
    # INC-1 yes; INC-2 was reopened; INC-3 was escalated and handed from Sam to Lee.
    assert (fcr.resolved, fcr.first_contact, fcr.pct) == (3, 1, 33.3)


def test_deflection_and_knowledge_base_use(week: Desk) -> None:
    report = report_of(week)
    assert (report.deflection.reports, report.deflection.self_service, report.deflection.pct) == (6, 1, 16.7)
    assert report.knowledge == (ArticleUse("reset-password", "Reset your password", 1, 1, 0),
                                ArticleUse("shared-drives", "Shared drives", 1, 0, 1))


def test_csat_over_the_tickets_closed_in_the_period(week: Desk) -> None:
    csat = report_of(week).satisfaction
    assert (csat.closed, csat.rated, csat.average, csat.satisfied) == (2, 2, 3.5, 1)
    assert (csat.satisfied_pct, csat.response_pct, csat.by_score) == (50.0, 100.0, (0, 1, 0, 0, 1))


def test_backlog_now_and_as_it_stood_at_an_earlier_end_of_period(week: Desk) -> None:
    now = report_of(week).backlog
    assert (now.total, now.by_status, now.oldest_seconds) == (1, {"new": 1, "in_progress": 0, "on_hold": 0},
                                                              32 * HOUR)
    assert AgeBucket("1-3 days", 1) in now.by_age
    # Monday 18:00: INC-2 on hold, INC-3 and REQ-5 new; INC-1 closed, INC-4 resolved, REQ-6 cancelled.
    then = report_of(week, Period(since=MONDAY, until=utc(2, 18))).backlog
    assert (then.total, then.by_status) == (3, {"new": 2, "in_progress": 0, "on_hold": 1})
    assert [b.count for b in then.by_age] == [3, 0, 0, 0, 0]


def test_workload_names_open_tickets_now_and_resolutions_of_agents_only(week: Desk) -> None:
    assert report_of(week).workload == (AgentLoad("Sam", 0, 3), AgentLoad("Lee", 0, 1))


def test_filters_narrow_every_figure_to_the_tickets_named(week: Desk) -> None:
    network = report_of(week, team="Network")
    assert network.scope == "team network"
    assert (network.volume.opened, network.volume.resolved, network.first_contact.resolved) == (1, 1, 1)
    requests = report_of(week, kind="request")
    assert (requests.volume.opened, requests.volume.cancelled, requests.backlog.total) == (2, 1, 1)
    sams = report_of(week, agent="sam")
    assert (sams.volume.opened, sams.mttr.count, sams.satisfaction.rated) == (2, 2, 2)
    assert report_of(week, platform="elsewhere").volume.opened == 0
    assert report_of(week, category="hardware", service="workplace").volume.opened == 2


def test_a_period_before_anything_happened_is_all_zeros_and_no_means(week: Desk) -> None:
    empty = report_of(week, parse_period("2026-01-01", "2026-02-01", now=REPORTED_AT))
    assert empty.volume == Volume(0, 0, 0, 0, 0)
    assert (empty.mtta.wall_seconds, empty.mttr.business_seconds, empty.first_contact.pct) == (None, None, None)


def test_the_json_form_carries_every_figure_with_its_percentages(week: Desk) -> None:
    data = report_of(week).to_dict()
    assert set(data) >= {"volume", "backlog", "mtta", "mttr", "sla", "first_contact", "deflection", "knowledge",
                         "satisfaction", "workload", "daily", "mttr_by_category"}
    assert data["sla"][2]["response_pct"] == 66.7
    assert data["satisfaction"]["by_score"]["5"] == 1
    assert data["period"] == {"since": MONDAY.isoformat(), "until": REPORTED_AT.isoformat()}
    assert data["filters"] == {}


def test_unknown_filters_are_refused_with_what_would_work(week: Desk) -> None:
    with pytest.raises(ValueError, match="No team 'nope'. Teams: service-desk"):
        report_of(week, team="nope")
    with pytest.raises(ValueError, match="No one called 'zed'"):
        report_of(week, agent="zed")
    with pytest.raises(ValueError, match="No kind 'bug'"):
        report_of(week, kind="bug")
    assert ReportFilter().describe() == "all tickets"
