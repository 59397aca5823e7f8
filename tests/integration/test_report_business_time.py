"""The report's business-time means, worked out by the database, equal `business_time_between` on each
ticket's own calendar: teams on calendars in other time zones (New York's day runs past midnight UTC), a
lunch break, a holiday, tickets without a team (the first line's calendar for their category), and a team
name no longer configured (the default calendar)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert

from core.business_time.calendar import business_time_between
from core.config.sla import CalendarSettings, SlaSettings, Team
from core.reports.business import calendar_name, durations_of
from core.reports.period import Period, ReportFilter
from core.reports.tallies import counted
from core.settings import DeskSettings
from core.storage.database import Database
from core.storage.models import PersonRow, TicketRow

SETTINGS = DeskSettings(
    sla=SlaSettings(calendars={
        "berlin": CalendarSettings(time_zone="Europe/Berlin", hours=("08:00-12:00", "13:00-17:00"),
                                   holidays=(date(2026, 4, 3),)),
        "new-york": CalendarSettings(time_zone="America/New_York", hours=("10:00-20:00",)),
    }),
    teams=(Team(name="service-desk", display="Service Desk", tier=1),
           Team(name="emea-desk", display="EMEA Desk", tier=1, categories=("email",), calendar="berlin"),
           Team(name="network", display="Network", tier=2, categories=("network",), calendar="new-york")),
)
PERIOD = Period(since=datetime(2026, 3, 16, tzinfo=UTC), until=datetime(2026, 4, 20, tzinfo=UTC))
TEAMS = ("", "", "service-desk", "emea-desk", "network", "Network ", "gone-team")
CATEGORIES = ("email", "network", "hardware")


def tickets(count: int) -> list[dict[str, object]]:
    rng = random.Random(5)
    rows = []
    for n in range(1, count + 1):
        created = PERIOD.since - timedelta(days=10) + timedelta(minutes=rng.randint(0, 40 * 24 * 60))
        answered = created + timedelta(minutes=rng.randint(1, 3 * 24 * 60))
        resolved = answered + timedelta(minutes=rng.randint(0, 9 * 24 * 60))
        rows.append({
            "id": n, "kind": "incident", "status": "resolved", "title": "t", "description": "t",
            "category": rng.choice(CATEGORIES), "service": "", "impact": 2, "urgency": 2, "priority": "P3",
            "requester_id": 1, "team": rng.choice(TEAMS), "tier": 1, "origin_platform": "console",
            "origin_channel": "it-help", "created_at": created, "updated_at": resolved,
            "first_response_at": answered, "resolved_at": resolved, "self_service": n % 9 == 0, "version": 1,
        })
    return rows


def expected(rows: list[dict[str, object]]) -> tuple[float, float, dict[str, float]]:
    """MTTA, MTTR and MTTR by category in business seconds, ticket by ticket through the calendar walk."""
    def between(row: dict[str, object], end: str) -> float:
        name = calendar_name(SETTINGS, team=str(row["team"]), category=str(row["category"]))
        start: datetime = row["created_at"]  # type: ignore[assignment]
        calendar = SETTINGS.sla.calendars[name].calendar(start.year)
        return business_time_between(calendar, start=start, end=row[end]).total_seconds()  # type: ignore[arg-type]

    def within(row: dict[str, object], field: str) -> bool:
        return PERIOD.since <= row[field] < PERIOD.until  # type: ignore[operator]

    answered = [between(r, "first_response_at") for r in rows if within(r, "first_response_at")]
    resolved = [r for r in rows if within(r, "resolved_at") and not r["self_service"]]
    by_category: dict[str, list[float]] = {}
    for row in resolved:
        by_category.setdefault(str(row["category"]), []).append(between(row, "resolved_at"))
    every = [seconds for times in by_category.values() for seconds in times]
    return (sum(answered) / len(answered), sum(every) / len(every),
            {category: sum(times) / len(times) for category, times in by_category.items()})


def test_business_means_follow_each_tickets_calendar(database_url: str) -> None:
    rows = tickets(400)
    db = Database(database_url)
    with db.engine.begin() as conn:
        conn.execute(insert(PersonRow), [{"id": 1, "display_name": "Dana", "email": "", "role": "requester",
                                          "team": ""}])
        conn.execute(insert(TicketRow), rows)
    try:
        found = durations_of(db.run(lambda session: counted(session, SETTINGS, period=PERIOD, filters=ReportFilter())))
    finally:
        db.dispose()
    mtta, mttr, by_category = expected(rows)
    assert {calendar_name(SETTINGS, team=str(r["team"]), category=str(r["category"])) for r in rows} == \
        {"default", "berlin", "new-york"}
    assert found.response.business_seconds == pytest.approx(mtta, abs=1e-3)
    assert found.resolution.business_seconds == pytest.approx(mttr, abs=1e-3)
    assert {c: m.business_seconds for c, m in found.resolution_by_category.items()} == pytest.approx(by_category,
                                                                                                       abs=1e-3)
