"""Mean times in business time: the hours the ticket's team works, by its calendar (holidays included).

Business time cannot be averaged in SQL, so it is computed per ticket, but without walking the calendar
for each one: the calendar's working intervals over the whole span are summed once into a running total
(`BusinessClock`), and a ticket's business time is then the difference of two binary searches. This is
exactly `business_time_between` for every ticket, at a cost that does not grow with how long it was open.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, false, or_, select
from sqlalchemy.orm import Session

from core.business_time.calendar import BusinessCalendar, business_intervals
from core.config.sla import DEFAULT_CALENDAR
from core.reports.metrics import within
from core.reports.period import Period, ReportFilter
from core.reports.sql import epoch, filtered
from core.settings import DeskSettings
from core.storage.models import TicketRow
from core.teams import first_line, team_named


class BusinessClock:
    """Business seconds of one calendar between any two instants (epoch seconds) in [start, end]."""

    def __init__(self, calendar: BusinessCalendar, *, start: datetime, end: datetime) -> None:
        self.openings: list[float] = []
        self.closings: list[float] = []
        self.before: list[float] = []  # business seconds before each interval opens
        total = 0.0
        for opening, closing in business_intervals(calendar, start=start, end=end):
            self.openings.append(opening.timestamp())
            self.closings.append(closing.timestamp())
            self.before.append(total)
            total += self.closings[-1] - self.openings[-1]

    def elapsed(self, at: float) -> float:
        """Business seconds from the clock's start to `at`."""
        index = bisect_right(self.openings, at) - 1
        if index < 0:
            return 0.0
        return self.before[index] + min(at, self.closings[index]) - self.openings[index]

    def between(self, start: float, end: float) -> float:
        return max(0.0, self.elapsed(end) - self.elapsed(start))


@dataclass
class Mean:
    count: int = 0
    total: float = 0.0

    def add(self, seconds: float) -> None:
        self.count += 1
        self.total += seconds

    @property
    def value(self) -> float | None:
        return self.total / self.count if self.count else None


@dataclass
class BusinessMeans:
    response: Mean = field(default_factory=Mean)
    resolution: Mean = field(default_factory=Mean)
    resolution_by_category: dict[str, Mean] = field(default_factory=dict)


def business_means(
    session: Session, settings: DeskSettings, *, period: Period, filters: ReportFilter,
) -> BusinessMeans:
    """MTTA and MTTR (overall and by category) in business seconds, over the same tickets as the
    wall-clock figures of `metrics.response_wall` and `metrics.resolution_wall_by_category`."""
    responded = case((within(TicketRow.first_response_at, period), epoch(TicketRow.first_response_at)))
    resolved = case((and_(within(TicketRow.resolved_at, period), TicketRow.self_service.is_(false())),
                     epoch(TicketRow.resolved_at)))
    # The same tickets as `responded` or `resolved` being set, said so that an index on each instant serves.
    statement = filtered(select(TicketRow.team, TicketRow.category, epoch(TicketRow.created_at), responded, resolved)
                         .where(or_(within(TicketRow.first_response_at, period),
                                    and_(within(TicketRow.resolved_at, period), TicketRow.self_service.is_(false())))),
                         filters)
    rows = session.connection().execute(statement).all()  # plain rows: no ORM work per ticket
    means = BusinessMeans()
    if not rows:
        return means
    elapsed = {key: clock.elapsed for key, clock in _clocks(settings, rows).items()}
    response, resolution, by_category = means.response, means.resolution, means.resolution_by_category
    # The one loop over tickets in a report: bound methods and locals only.
    for team, category, created, responded_at, resolved_at in rows:
        business = elapsed[(team, category)]
        start = business(created)
        if responded_at is not None:
            response.add(business(responded_at) - start)
        if resolved_at is not None:
            seconds = business(resolved_at) - start
            resolution.add(seconds)
            if category not in by_category:
                by_category[category] = Mean()
            by_category[category].add(seconds)
    return means


def _clocks(settings: DeskSettings, rows: Sequence[Any]) -> dict[tuple[str, str], BusinessClock]:
    """One clock per calendar, spanning every instant the rows name; keyed by (team, category)."""
    instants = [at for row in rows for at in row[2:] if at is not None]
    first, last = min(instants), max(instants)
    start = datetime.fromtimestamp(first - 1, tz=UTC)
    end = datetime.fromtimestamp(last + 1, tz=UTC)
    # Country holidays are loaded from the year before to two after the one named: name the middle.
    year = datetime.fromtimestamp((first + last) / 2, tz=UTC).year
    by_calendar: dict[str, BusinessClock] = {}
    clocks: dict[tuple[str, str], BusinessClock] = {}
    for team, category in {(row[0], row[1]) for row in rows}:
        name = calendar_name(settings, team=team, category=category)
        if name not in by_calendar:
            by_calendar[name] = BusinessClock(settings.sla.calendars[name].calendar(year), start=start, end=end)
        clocks[(team, category)] = by_calendar[name]
    return clocks


def calendar_name(settings: DeskSettings, *, team: str, category: str) -> str:
    """The calendar of the ticket's team; a ticket without a team belongs to the first line."""
    found = team_named(settings, team) if team else first_line(settings, category)
    name = found.calendar if found is not None else DEFAULT_CALENDAR
    return name if name in settings.sla.calendars else DEFAULT_CALENDAR
