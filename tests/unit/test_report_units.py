"""The pieces of a report that need no database: periods, business time looked up, durations in words."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.business_time.calendar import BusinessCalendar, business_intervals, business_time_between
from core.reports.business import DAY, CalendarDays
from core.reports.export import hours, percent
from core.reports.period import PeriodError, parse_chat_period, parse_period

NOW = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
BERLIN = BusinessCalendar(time_zone="Europe/Berlin", working_hours=((time(8), time(12)), (time(13), time(17))),
                          holidays=frozenset({date(2026, 4, 3), date(2026, 4, 6)}))
SPAN_START, SPAN_END = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)


def test_relative_periods_count_back_from_the_end() -> None:
    assert parse_period("30d", None, now=NOW).since == NOW - timedelta(days=30)
    assert parse_period("12h", "2026-03-02", now=NOW).since == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert parse_period(None, None, now=NOW).span == timedelta(days=30)
    week = parse_period("2w", "2026-03-02T10:00+01:00", now=NOW)
    assert (week.since, week.until) == (datetime(2026, 2, 16, 9, tzinfo=UTC), datetime(2026, 3, 2, 9, tzinfo=UTC))


def test_chat_periods_take_a_span_a_date_or_a_range() -> None:
    assert parse_chat_period("", now=NOW).span == timedelta(days=30)
    assert parse_chat_period("7d", now=NOW).since == NOW - timedelta(days=7)
    ranged = parse_chat_period("2026-02-01..2026-03-01", now=NOW)
    assert (ranged.since.day, ranged.until.month) == (1, 3)
    assert parse_chat_period("2026-02-01", now=NOW).until == NOW


@pytest.mark.parametrize(("since", "until", "says"), [
    ("yesterday", None, "Cannot read 'yesterday'"),
    ("2026-03-01T09:00", None, "has no offset"),
    ("2026-03-05", "2026-03-01", "ends"),
])
def test_periods_that_cannot_be_read_say_how_to_write_them(since: str, until: str | None, says: str) -> None:
    with pytest.raises(PeriodError, match=says):
        parse_period(since, until, now=NOW)


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 3, 1), max_value=datetime(2026, 4, 30)),
       st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)))
def test_business_time_looked_up_equals_the_calendar_walk(start: datetime, length: timedelta) -> None:
    # Across the change to summer time (29 March), Easter holidays and a lunch break.
    # The days table a report's query looks instants up in, read here as the query reads it.
    start = start.replace(tzinfo=UTC)
    end = min(start + length, SPAN_END - timedelta(microseconds=1))
    days = CalendarDays(lambda year: BERLIN, first_day=int(SPAN_START.timestamp() // DAY),
                        last_day=int(SPAN_END.timestamp() // DAY))
    expected = business_time_between(BERLIN, start=start, end=end).total_seconds()
    assert days.elapsed(end.timestamp()) - days.elapsed(start.timestamp()) == pytest.approx(expected, abs=1e-3)


def test_each_days_working_intervals_are_cut_at_utc_midnight() -> None:
    """New York's 10:00-20:00 (15:00-01:00 UTC in winter) runs past midnight UTC: each UTC day holds the end of
    one working day and the start of the next, and the business seconds before a day count only what came
    before it."""
    new_york = BusinessCalendar(time_zone="America/New_York", working_hours=((time(10), time(20)),))
    monday = datetime(2026, 3, 2, tzinfo=UTC)
    days = CalendarDays(lambda year: new_york, first_day=int(monday.timestamp() // DAY),
                        last_day=int(monday.timestamp() // DAY) + 2)
    (_, before_monday, monday_intervals), (_, before_tuesday, tuesday_intervals) = days.rows[:2]
    assert before_monday == 0 and [length for _, length in monday_intervals] == [9 * 3600]
    assert before_tuesday == 9 * 3600 and [length for _, length in tuesday_intervals] == [3600, 9 * 3600]
    assert days.widest == 2


def test_business_intervals_are_clipped_to_the_span() -> None:
    intervals = list(business_intervals(BERLIN, start=datetime(2026, 3, 2, 10, tzinfo=UTC),
                                        end=datetime(2026, 3, 2, 13, tzinfo=UTC)))
    # Berlin is UTC+1 in March: 08-12 and 13-17 local are 07-11 and 12-16 UTC.
    assert intervals == [(datetime(2026, 3, 2, 10, tzinfo=UTC), datetime(2026, 3, 2, 11, tzinfo=UTC)),
                         (datetime(2026, 3, 2, 12, tzinfo=UTC), datetime(2026, 3, 2, 13, tzinfo=UTC))]


def test_durations_and_percentages_read_as_people_write_them() -> None:
    assert [hours(s) for s in (None, 45 * 60, 3 * 3600 + 5 * 60, 27 * 3600)] == ["-", "45m", "3h 05m", "1d 3h"]
    assert (percent(None), percent(66.7), percent(100.0)) == ("-", "66.7%", "100%")
