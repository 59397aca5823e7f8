"""Mean times from report to first response and to resolved, on the wall clock and in business time (the
hours the ticket's team works, by its calendar, holidays included), computed by the database in one query.

Business time cannot be subtracted like wall-clock time, but it can be looked up: with B(t) the business
seconds of a calendar up to the instant t, a ticket's business time from report to response is
B(responded) - B(reported), exactly `business_time_between`. B is handed to the query as a small table
(`CalendarDays`): a row per calendar and UTC day with the business seconds before that day and the day's
working intervals, so that B(t) = before + the part of each of the day's intervals that lies before t. The
database finds each instant's row by its day and sums; no ticket leaves it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, case, column, func, literal, select, table
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.business_time.calendar import BusinessCalendar, business_intervals
from core.config.sla import DEFAULT_CALENDAR
from core.settings import DeskSettings
from core.storage.models import TicketRow
from core.teams import first_line, pick_for, team_named

DAY = 86400


@dataclass(frozen=True)
class Mean:
    """Tickets counted, and their mean wall-clock and business seconds (None with no tickets)."""

    count: int
    wall_seconds: float | None
    business_seconds: float | None


@dataclass(frozen=True)
class Durations:
    response: Mean
    resolution: Mean
    resolution_by_category: dict[str, Mean]


class CalendarDays:
    """One calendar's business seconds as a table of UTC days `first_day`..`last_day` (days since 1970):
    for each, the business seconds from the first day's start to that day's start, and the day's working
    intervals as (start in epoch seconds, length in seconds), clipped to the day. Each year's days come from
    that year's calendar (its holidays)."""

    def __init__(self, calendar_of_year: Any, *, first_day: int, last_day: int) -> None:
        self.first_day, self.last_day = first_day, last_day
        intervals: dict[int, list[tuple[int, int]]] = defaultdict(list)
        start, end = _utc(first_day * DAY), _utc((last_day + 1) * DAY)
        for year in range(start.year, end.year + 1):
            calendar: BusinessCalendar = calendar_of_year(year)
            span = (max(start, datetime(year, 1, 1, tzinfo=UTC)), min(end, datetime(year + 1, 1, 1, tzinfo=UTC)))
            for opening, closing in business_intervals(calendar, start=span[0], end=span[1]):
                a, b = round(opening.timestamp()), round(closing.timestamp())
                while a < b:
                    cut = min(b, (a // DAY + 1) * DAY)
                    intervals[a // DAY].append((a, cut - a))
                    a = cut
        self.rows: list[tuple[int, int, tuple[tuple[int, int], ...]]] = []
        before = 0
        for day in range(first_day, last_day + 1):
            found = tuple(intervals.get(day, ()))
            self.rows.append((day, before, found))
            before += sum(length for _, length in found)

    @property
    def widest(self) -> int:
        """The most working intervals any one UTC day holds."""
        return max((len(found) for _, _, found in self.rows), default=0)

    def elapsed(self, at: float) -> float:
        """B(at): business seconds from the first day's start to `at` (as the query computes it)."""
        day, before, found = self.rows[int(at // DAY) - self.first_day]
        return before + sum(min(max(at - a, 0), length) for a, length in found)


def calendar_days(session: Session, settings: DeskSettings, *, until: datetime
                  ) -> tuple[list[CalendarDays], ColumnElement[int]] | None:
    """The calendars tickets can be on as tables of days, from the first ticket's day to `until`'s, and
    which of them a ticket's is (said in SQL); None when there are no tickets."""
    earliest = session.scalar(select(func.min(TicketRow.created_at)))
    if earliest is None:
        return None
    first_day = int(earliest.timestamp() // DAY)
    last_day = max(first_day, int(until.timestamp() // DAY))
    names, calendar_index = _calendars(settings)
    return [CalendarDays(settings.sla.calendars[name].calendar, first_day=first_day, last_day=last_day)
            for name in names], calendar_index


def durations_of(tallies: Iterable[Any]) -> Durations:
    """MTTA and MTTR (overall and by category) from the answered and fixed tallies."""
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0] * 4)
    for tally in tallies:
        if tally.figure in ("answered", "fixed"):
            total = sums[tally.figure, tally.category]
            for n in range(4):
                total[n] += tally.values[n]
    def overall(figure: str) -> Mean:
        return _mean(_sum([total for (name, _), total in sums.items() if name == figure]))
    by_category = {category: _mean(total) for (name, category), total in sums.items()
                   if name == "fixed" and total[0]}
    return Durations(response=overall("answered"), resolution=overall("fixed"), resolution_by_category=by_category)


def in_business(day: Any, instant: ColumnElement[float], widest: int) -> ColumnElement[float]:
    """B(instant) from its row of the days table: the business seconds before its day, and the part of each
    of the day's working intervals that lies before the instant."""
    total: ColumnElement[float] = day.c.prior
    for n in range(widest):
        start, length = day.c[f"start{n}"], day.c[f"length{n}"]
        total = total + case((instant <= start, 0), (instant >= start + length, length), else_=instant - start)
    return total


@contextmanager
def days_table(session: Session, tables: Sequence[CalendarDays]) -> Iterator[Any]:
    """The calendars' days as a table for the query: `calendar, day, prior, start0, length0, ...`, a temporary
    table with a key (on SQLite in the connection's own temporary database: no lock on the desk's). As VALUES
    both databases would scan the list once per ticket when the tickets are few."""
    widest = max(1, max(table.widest for table in tables))
    names = ["calendar", "day", "prior"] + [f"{kind}{n}" for n in range(widest) for kind in ("start", "length")]
    rows = []
    for index, days in enumerate(tables):
        for day, before, found in days.rows:
            cells = [index, day, before]
            for n in range(widest):
                cells.extend(found[n] if n < len(found) else (0, 0))
            rows.append(cells)
    sqlite = session.get_bind().dialect.name == "sqlite"
    where = "temp.report_days" if sqlite else "pg_temp.report_days"
    connection = session.connection()
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {where}")
    connection.exec_driver_sql(f"CREATE TEMPORARY TABLE report_days ({', '.join(f'{name} INTEGER' for name in names)}, "
                               f"PRIMARY KEY (calendar, day)){' WITHOUT ROWID' if sqlite else ''}")
    try:
        marks = ", ".join(["?" if sqlite else "%s"] * len(names))
        connection.exec_driver_sql(f"INSERT INTO {where} VALUES ({marks})", [tuple(cells) for cells in rows])
        if not sqlite:
            connection.exec_driver_sql(f"ANALYZE {where}")  # so that the planner knows how few rows it has
        yield table("report_days", *(column(name, Integer) for name in names))
    finally:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {where}")


def _calendars(settings: DeskSettings) -> tuple[list[str], ColumnElement[int]]:
    """The calendars tickets can be on, and which of them a ticket's is: its team's, or for a ticket without
    a team the first line's for its category (`calendar_name`, said in SQL)."""
    def known(name: str) -> str:
        return name if name in settings.sla.calendars else DEFAULT_CALENDAR

    names: list[str] = []

    def index(name: str) -> int:
        if known(name) not in names:
            names.append(known(name))
        return names.index(known(name))

    fallback = calendar_name(settings, team="", category="")
    tier_one = [t for t in settings.teams if t.tier == 1]
    by_category = [(category, index(calendar_name(settings, team="", category=category)))
                   for team in tier_one for category in team.categories
                   if pick_for(tier_one, category) is team]
    by_team = [(spelling, index(team.calendar)) for team in settings.teams
               for spelling in sorted({team.name, team.title.lower()})]
    default = index(DEFAULT_CALENDAR)
    without_team = index(fallback)
    if len(names) == 1:
        return names, literal(0)
    first_line_calendar = case(*((TicketRow.category == category, literal(n)) for category, n in by_category),
                               else_=literal(without_team)) if by_category else literal(without_team)
    team = func.lower(func.trim(TicketRow.team))
    return names, case((TicketRow.team == "", first_line_calendar),
                       *((team == spelling, literal(n)) for spelling, n in by_team), else_=literal(default))


def calendar_name(settings: DeskSettings, *, team: str, category: str) -> str:
    """The calendar of the ticket's team; a ticket without a team belongs to the first line."""
    found = team_named(settings, team) if team else first_line(settings, category)
    name = found.calendar if found is not None else DEFAULT_CALENDAR
    return name if name in settings.sla.calendars else DEFAULT_CALENDAR


def _sum(rows: Sequence[Sequence[Any]]) -> tuple[int, float, int, float]:
    return (sum(r[0] for r in rows), sum(r[1] or 0.0 for r in rows), sum(r[2] for r in rows),
            sum(r[3] or 0.0 for r in rows))


def _mean(row: Sequence[Any]) -> Mean:
    count, wall, business_count, business = row
    return Mean(int(count), float(wall) / count if count else None,
                float(business) / business_count if business_count else None)


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
