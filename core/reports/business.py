"""Mean times in business time: the hours the ticket's team works, by its calendar (holidays included).

Business time cannot be averaged in SQL, so it is computed per ticket, but without walking the calendar
for each one: the calendar's working intervals over the whole span are summed once into a running total
(`BusinessClock`), and a ticket's business time is then the difference of two binary searches. This is
exactly `business_time_between` for every ticket, at a cost that does not grow with how long it was open.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from core.reports.metrics import within
from core.reports.period import Period, ReportFilter
from core.reports.sql import epoch, filtered
from core.settings import DeskSettings
from core.sla.calendar import BusinessCalendar, business_intervals
from core.sla.settings import DEFAULT_CALENDAR
from core.sla.teams import first_line, team_named
from core.storage.models import TicketRow


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
    resolved_in_period = and_(within(TicketRow.resolved_at, period), TicketRow.self_service.is_(false()))
    statement = filtered(select(
        TicketRow.team, TicketRow.category, TicketRow.self_service, epoch(TicketRow.created_at),
        epoch(TicketRow.first_response_at), epoch(TicketRow.resolved_at),
    ).where(or_(within(TicketRow.first_response_at, period), resolved_in_period)), filters)
    rows = session.connection().execute(statement).all()  # plain rows: no ORM work per ticket
    means = BusinessMeans()
    if not rows:
        return means
    clocks = _clocks(settings, rows)
    since, until = period.since.timestamp(), period.until.timestamp()
    response, resolution, by_category = means.response, means.resolution, means.resolution_by_category
    for team, category, self_service, created, responded, resolved in rows:
        clock = clocks[(team, category)]
        start = clock.elapsed(created)
        if responded is not None and since <= responded < until:
            response.add(max(0.0, clock.elapsed(responded) - start))
        if resolved is not None and not self_service and since <= resolved < until:
            seconds = max(0.0, clock.elapsed(resolved) - start)
            resolution.add(seconds)
            if category not in by_category:
                by_category[category] = Mean()
            by_category[category].add(seconds)
    return means


def _clocks(settings: DeskSettings, rows: list[tuple]) -> dict[tuple[str, str], BusinessClock]:  # type: ignore[type-arg]
    """One clock per calendar, spanning every instant the rows name; keyed by (team, category)."""
    instants = [at for row in rows for at in row[3:] if at is not None]
    start = datetime.fromtimestamp(min(instants) - 1, tz=UTC)
    end = datetime.fromtimestamp(max(instants) + 1, tz=UTC)
    # The year the holidays are loaded around (it spans the year before to two after): the middle.
    year = datetime.fromtimestamp((min(instants) + max(instants)) / 2, tz=UTC).year
    by_calendar: dict[str, BusinessClock] = {}
    clocks: dict[tuple[str, str], BusinessClock] = {}
    for team, category in {(row[0], row[1]) for row in rows}:
        name = calendar_name(settings, team=team, category=category)
        if name not in by_calendar:
            calendar = settings.sla.calendars[name].calendar(year)
            by_calendar[name] = BusinessClock(calendar, start=start, end=end)
        clocks[(team, category)] = by_calendar[name]
    return clocks


def calendar_name(settings: DeskSettings, *, team: str, category: str) -> str:
    """The calendar of the ticket's team; a ticket without a team belongs to the first line."""
    found = team_named(settings, team) if team else first_line(settings, category)
    name = found.calendar if found is not None else DEFAULT_CALENDAR
    return name if name in settings.sla.calendars else DEFAULT_CALENDAR
