"""Business hours: when the service desk's SLA clocks may run.

Every instant that goes in or comes out is a timezone-aware datetime in UTC (aware input in another
zone is accepted and converted). Local wall-clock time exists only inside this module.

DST rule: a working interval opens at the first instant the local clock shows its opening time and
closes at the first instant the clock shows its closing time. So 09:00-17:00 is eight real hours on
every day, a midnight-to-midnight day is 23 or 25 hours on DST change days, and an opening time that
a spring-forward jump skips opens at the jump itself.

The arithmetic walks day by day (each day's intervals are cached), never minute by minute, so spans
of years cost a few thousand cheap steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.business_time.instants import as_utc

WorkingHours = tuple[tuple[time, time], ...]

MONDAY_TO_FRIDAY: frozenset[int] = frozenset(range(5))
EVERY_DAY: frozenset[int] = frozenset(range(7))
NINE_TO_FIVE: WorkingHours = ((time(9), time(17)),)
# A closing time of 00:00 means midnight at the end of the day (24:00).
ALL_DAY: WorkingHours = ((time(0), time(0)),)

_MIDNIGHT = time(0)
_NO_TIME = timedelta(0)


@dataclass(frozen=True)
class BusinessCalendar:
    """Working weekdays (0 = Monday ... 6 = Sunday), working hours as local (opening, closing) pairs,
    and holiday dates on which nothing is open, all in the IANA zone `time_zone`."""

    time_zone: str = "UTC"
    working_weekdays: frozenset[int] = MONDAY_TO_FRIDAY
    working_hours: WorkingHours = NINE_TO_FIVE
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        _zone(self.time_zone)
        # Normalised so that lists and sets from config still give a hashable, comparable calendar.
        object.__setattr__(self, "working_weekdays", frozenset(self.working_weekdays))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "working_hours", _checked_hours(self.working_hours))
        if not self.working_weekdays:
            raise ValueError("working_weekdays is empty: name at least one day, 0 = Monday ... 6 = Sunday")
        if not self.working_weekdays <= EVERY_DAY:
            days = sorted(self.working_weekdays)
            raise ValueError(f"working_weekdays must be 0 (Monday) to 6 (Sunday), got {days}")
        for holiday in self.holidays:
            # datetime is a subclass of date but never equal to one, so it would silently not match.
            if isinstance(holiday, datetime) or not isinstance(holiday, date):
                raise ValueError(f"holidays must be dates, got {holiday!r}")

    @classmethod
    def twenty_four_seven(cls, *, time_zone: str = "UTC") -> BusinessCalendar:
        """Always open: business time equals wall-clock time."""
        return cls(time_zone=time_zone, working_weekdays=EVERY_DAY, working_hours=ALL_DAY)

    @classmethod
    def for_country(
        cls,
        *,
        country: str,
        years: Iterable[int],
        time_zone: str,
        subdivision: str | None = None,
        working_weekdays: frozenset[int] = MONDAY_TO_FRIDAY,
        working_hours: WorkingHours = NINE_TO_FIVE,
    ) -> BusinessCalendar:
        """A calendar closed on the public holidays of `country` (ISO code, e.g. "DE") and optional
        `subdivision` (e.g. "BY") in `years`."""
        calendar = cls(time_zone=time_zone, working_weekdays=working_weekdays, working_hours=working_hours)
        return calendar.with_country_holidays(country=country, years=years, subdivision=subdivision)

    def with_country_holidays(
        self, *, country: str, years: Iterable[int], subdivision: str | None = None
    ) -> BusinessCalendar:
        """This calendar plus the public holidays of `country` for `years` only: dates in other years
        are not known to it, so cover every year a ticket may stay open."""
        # Imported here because loading the country tables takes ~0.1 s that most callers never need.
        import holidays as holiday_tables

        try:
            table = holiday_tables.country_holidays(country, subdiv=subdivision, years=tuple(years))
        except NotImplementedError as error:
            where = country if subdivision is None else f"{country}-{subdivision}"
            raise ValueError(f"no public holidays known for {where!r}: {error}") from error
        return replace(self, holidays=self.holidays | frozenset(table))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_weekdays and day not in self.holidays


def is_business_time(calendar: BusinessCalendar, at: datetime) -> bool:
    """True while the desk is open: an opening instant is inside, a closing instant already outside."""
    at = as_utc(at, name="at")
    return next_opening(calendar, at) == at


def next_opening(calendar: BusinessCalendar, at: datetime) -> datetime:
    """The first business instant at or after `at`: `at` itself while the desk is open."""
    opening, _ = next(_business_intervals(calendar, as_utc(at, name="at")))
    return opening


def add_business_time(calendar: BusinessCalendar, *, start: datetime, duration: timedelta) -> datetime:
    """The instant at which `duration` of business time has passed since `start`.

    A start outside business hours counts from the next opening. A zero duration returns `start`
    unchanged (in UTC), even outside hours: nothing has to elapse, so nothing moves. A duration that
    runs out exactly at a closing time returns that closing instant, not the next opening.
    """
    start = as_utc(start, name="start")
    if duration < _NO_TIME:
        raise ValueError(f"duration must not be negative, got {duration}")
    if duration == _NO_TIME:
        return start
    remaining = duration
    for opening, closing in _business_intervals(calendar, start):
        length = closing - opening
        if remaining <= length:
            return opening + remaining
        remaining -= length
    raise AssertionError("business intervals never end")


def business_time_between(calendar: BusinessCalendar, *, start: datetime, end: datetime) -> timedelta:
    """Business time inside [start, end); zero when end <= start."""
    start = as_utc(start, name="start")
    end = as_utc(end, name="end")
    total = _NO_TIME
    if end <= start:
        return total
    for opening, closing in _business_intervals(calendar, start):
        if opening >= end:
            break
        total += min(closing, end) - opening
    return total


def business_intervals(
    calendar: BusinessCalendar, *, start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    """The business intervals inside [start, end), clipped to it, in time order (for reports that need
    business time between many pairs of instants: sum the intervals once, then look up)."""
    start = as_utc(start, name="start")
    end = as_utc(end, name="end")
    if end <= start:
        return
    for opening, closing in _business_intervals(calendar, start):
        if opening >= end:
            return
        yield opening, min(closing, end)


def _business_intervals(calendar: BusinessCalendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Business intervals in time order, endless, the first one clipped to begin no earlier than start.

    Starting from the local date of `start` is safe: that day opens no later than `start`, so no
    earlier day can still be open.
    """
    day = start.astimezone(_zone(calendar.time_zone)).date()
    while True:
        if calendar.is_working_day(day):
            for opening, closing in _day_intervals(calendar.time_zone, day, calendar.working_hours):
                if closing > start:
                    yield max(opening, start), closing
        day += timedelta(days=1)


@lru_cache(maxsize=16384)
def _day_intervals(time_zone: str, day: date, hours: WorkingHours) -> tuple[tuple[datetime, datetime], ...]:
    zone = _zone(time_zone)
    intervals = []
    for opening_time, closing_time in hours:
        opening = _first_instant_showing(zone, datetime.combine(day, opening_time))
        closing_day = day + timedelta(days=1) if closing_time == _MIDNIGHT else day
        closing = _first_instant_showing(zone, datetime.combine(closing_day, closing_time))
        if closing > opening:  # an interval wholly inside a DST gap has no length
            intervals.append((opening, closing))
    return tuple(intervals)


def _first_instant_showing(zone: ZoneInfo, wall: datetime) -> datetime:
    """The earliest UTC instant at which the local clock shows `wall` or later."""
    candidates = [wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)]
    shown = [instant for instant in candidates if _wall(zone, instant) == wall]
    if shown:
        return min(shown)  # on a fall-back day the earlier of the two readings
    # `wall` lies in a gap: the clock jumped over it, so the jump is the answer. The two fold
    # readings bracket the jump; bisect down to the microsecond (a few dozen steps, only on gap days).
    before, after = min(candidates), max(candidates)
    while after - before > timedelta(microseconds=1):
        middle = before + (after - before) // 2
        if _wall(zone, middle) >= wall:
            after = middle
        else:
            before = middle
    return after


def _wall(zone: ZoneInfo, instant: datetime) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as 'Europe/Berlin'") from error


def _checked_hours(hours: Iterable[tuple[time, time]]) -> WorkingHours:
    ordered = tuple(sorted(((opening, closing) for opening, closing in hours), key=lambda pair: pair[0]))
    if not ordered:
        raise ValueError("working_hours is empty: give at least one (opening, closing) pair")
    previous_closing: time | None = None
    for opening, closing in ordered:
        if opening.tzinfo is not None or closing.tzinfo is not None:
            raise ValueError("working_hours are local wall-clock times: drop tzinfo and set time_zone")
        if closing != _MIDNIGHT and closing <= opening:
            raise ValueError(
                f"working interval {opening}-{closing} closes before it opens: split overnight hours at "
                "midnight, and write a closing time of midnight as 00:00"
            )
        if previous_closing is not None and (previous_closing == _MIDNIGHT or opening < previous_closing):
            raise ValueError(f"working interval starting {opening} overlaps the one before it")
        previous_closing = closing
    return ordered
