from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.business_time import (
    EVERY_DAY,
    BusinessCalendar,
    add_business_time,
    business_time_between,
    is_business_time,
    next_opening,
)

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = timedelta(hours=1)
PROPERTIES = settings(deadline=None, database=None, max_examples=150)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Berlin wall-clock reading as the UTC instant the code works with."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


OFFICE = BusinessCalendar(time_zone="Europe/Berlin")
WEEKEND_DESK = BusinessCalendar(time_zone="Europe/Berlin", working_weekdays=frozenset({5, 6}))


# --- examples ------------------------------------------------------------------------------------


def test_friday_afternoon_four_hours_are_due_monday_half_past_twelve_local():
    due = add_business_time(OFFICE, start=berlin(2025, 3, 14, 16, 30), duration=4 * HOUR)
    assert due == datetime(2025, 3, 17, 11, 30, tzinfo=UTC)  # 12:30 CET
    assert due.tzinfo is UTC


def test_a_holiday_on_monday_pushes_the_due_time_to_tuesday():
    calendar = BusinessCalendar(time_zone="Europe/Berlin", holidays=frozenset({date(2025, 3, 17)}))
    due = add_business_time(calendar, start=berlin(2025, 3, 14, 16, 30), duration=4 * HOUR)
    assert due == berlin(2025, 3, 18, 12, 30)


def test_country_holidays_come_from_the_holidays_package():
    calendar = BusinessCalendar.for_country(country="DE", years=[2025], time_zone="Europe/Berlin")
    # Whit Monday 2025 is 9 June; the due time is in summer time (UTC+2).
    due = add_business_time(calendar, start=berlin(2025, 6, 6, 16, 30), duration=4 * HOUR)
    assert due == datetime(2025, 6, 10, 10, 30, tzinfo=UTC)


def test_subdivision_adds_regional_holidays():
    national = OFFICE.with_country_holidays(country="DE", years=range(2025, 2026))
    bavaria = OFFICE.with_country_holidays(country="DE", years=range(2025, 2026), subdivision="BY")
    corpus_christi = date(2025, 6, 19)
    assert corpus_christi not in national.holidays
    assert corpus_christi in bavaria.holidays


def test_seventy_two_business_hours_across_christmas_and_new_year():
    calendar = BusinessCalendar.for_country(country="DE", years=[2025, 2026], time_zone="Europe/Berlin")
    # Working days: 22, 23, 24, 29, 30, 31 December, then 2, 5, 6 January.
    due = add_business_time(calendar, start=berlin(2025, 12, 22, 9), duration=72 * HOUR)
    assert due == berlin(2026, 1, 6, 17)
    bavaria = calendar.with_country_holidays(country="DE", subdivision="BY", years=[2026])
    assert add_business_time(bavaria, start=berlin(2025, 12, 22, 9), duration=72 * HOUR) == berlin(
        2026, 1, 7, 17
    )


def test_weekends_are_skipped():
    assert next_opening(OFFICE, berlin(2025, 3, 15, 10)) == berlin(2025, 3, 17, 9)
    assert business_time_between(
        OFFICE, start=berlin(2025, 3, 14, 17), end=berlin(2025, 3, 17, 9)
    ) == timedelta(0)


def test_a_start_outside_hours_counts_from_the_next_opening():
    assert add_business_time(OFFICE, start=berlin(2025, 3, 17, 7), duration=HOUR) == berlin(2025, 3, 17, 10)
    assert add_business_time(OFFICE, start=berlin(2025, 3, 17, 18), duration=HOUR) == berlin(2025, 3, 18, 10)


def test_zero_duration_returns_the_start_unchanged_even_outside_hours():
    saturday = berlin(2025, 3, 15, 10)
    assert add_business_time(OFFICE, start=saturday, duration=timedelta(0)) == saturday


def test_a_duration_ending_at_closing_time_is_due_at_closing_not_next_morning():
    assert add_business_time(OFFICE, start=berlin(2025, 3, 14, 9), duration=8 * HOUR) == berlin(
        2025, 3, 14, 17
    )


def test_next_opening_is_the_instant_itself_while_open():
    monday_ten = berlin(2025, 3, 17, 10)
    assert next_opening(OFFICE, monday_ten) == monday_ten
    assert is_business_time(OFFICE, monday_ten)
    assert not is_business_time(OFFICE, berlin(2025, 3, 17, 17))  # closing time is already closed
    assert is_business_time(OFFICE, berlin(2025, 3, 17, 9))


def test_split_working_hours_leave_the_lunch_break_out():
    calendar = BusinessCalendar(
        time_zone="Europe/Berlin", working_hours=((time(13), time(17)), (time(8), time(12)))
    )
    assert not is_business_time(calendar, berlin(2025, 3, 17, 12, 30))
    assert add_business_time(calendar, start=berlin(2025, 3, 17, 11), duration=2 * HOUR) == berlin(
        2025, 3, 17, 14
    )
    monday = business_time_between(calendar, start=berlin(2025, 3, 17), end=berlin(2025, 3, 18))
    assert monday == 8 * HOUR


def test_aware_input_in_another_zone_is_accepted_and_answers_come_back_in_utc():
    local_start = datetime(2025, 3, 14, 16, 30, tzinfo=BERLIN)
    due = add_business_time(OFFICE, start=local_start, duration=4 * HOUR)
    assert due == berlin(2025, 3, 17, 12, 30)
    assert due.tzinfo is UTC
    assert next_opening(OFFICE, datetime(2025, 3, 15, tzinfo=BERLIN)).tzinfo is UTC


# --- daylight saving time (Berlin: 30 March and 26 October 2025 are Sundays) -------------------------


@pytest.mark.parametrize("sunday", [date(2025, 3, 30), date(2025, 10, 26)])
def test_an_eight_hour_working_day_is_eight_hours_on_dst_change_days(sunday: date):
    saturday = sunday - timedelta(days=1)
    weekend = business_time_between(
        WEEKEND_DESK,
        start=berlin(saturday.year, saturday.month, saturday.day),
        end=berlin(sunday.year, sunday.month, sunday.day + 1),
    )
    assert weekend == 16 * HOUR
    after_saturday = berlin(saturday.year, saturday.month, saturday.day, 17)
    due = add_business_time(WEEKEND_DESK, start=after_saturday, duration=8 * HOUR)
    assert due == berlin(sunday.year, sunday.month, sunday.day, 17)


def test_spring_forward_sunday_opens_and_closes_at_local_times_in_summer_time():
    assert next_opening(WEEKEND_DESK, berlin(2025, 3, 29, 18)) == datetime(2025, 3, 30, 7, tzinfo=UTC)
    assert add_business_time(WEEKEND_DESK, start=berlin(2025, 3, 29, 16), duration=2 * HOUR) == datetime(
        2025, 3, 30, 8, tzinfo=UTC
    )


def test_fall_back_sunday_opens_at_local_nine_in_winter_time():
    assert next_opening(WEEKEND_DESK, berlin(2025, 10, 25, 18)) == datetime(2025, 10, 26, 8, tzinfo=UTC)


@pytest.mark.parametrize(("day", "hours"), [(date(2025, 3, 30), 23), (date(2025, 10, 26), 25)])
def test_a_whole_local_day_is_23_or_25_real_hours_on_dst_change_days(day: date, hours: int):
    always = BusinessCalendar.twenty_four_seven(time_zone="Europe/Berlin")
    start = berlin(day.year, day.month, day.day)
    end = berlin(day.year, day.month, day.day + 1)
    assert business_time_between(always, start=start, end=end) == hours * HOUR


def test_hours_through_the_spring_gap_count_real_time_and_a_skipped_opening_opens_at_the_jump():
    through = BusinessCalendar(
        time_zone="Europe/Berlin", working_weekdays=EVERY_DAY, working_hours=((time(1), time(4)),)
    )
    day = (berlin(2025, 3, 30), berlin(2025, 3, 31))
    assert business_time_between(through, start=day[0], end=day[1]) == 2 * HOUR
    autumn = (berlin(2025, 10, 26), berlin(2025, 10, 27))
    assert business_time_between(through, start=autumn[0], end=autumn[1]) == 4 * HOUR

    skipped = BusinessCalendar(
        time_zone="Europe/Berlin", working_weekdays=EVERY_DAY, working_hours=((time(2, 30), time(5)),)
    )
    jump = datetime(2025, 3, 30, 1, tzinfo=UTC)  # 02:00 CET becomes 03:00 CEST
    assert next_opening(skipped, berlin(2025, 3, 30)) == jump
    assert business_time_between(skipped, start=day[0], end=day[1]) == 2 * HOUR


# --- 24x7 and long spans --------------------------------------------------------------------------


def test_two_years_of_office_hours_are_counted_day_by_day():
    start, end = berlin(2024, 1, 1), berlin(2025, 12, 29)  # both Mondays, 104 weeks apart
    assert business_time_between(OFFICE, start=start, end=end) == 104 * 5 * 8 * HOUR
    assert add_business_time(OFFICE, start=start, duration=104 * 5 * 8 * HOUR) == berlin(2025, 12, 26, 17)


# --- validation -----------------------------------------------------------------------------------


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        next_opening(OFFICE, datetime(2025, 3, 17, 9))


def test_negative_durations_are_refused():
    with pytest.raises(ValueError, match="negative"):
        add_business_time(OFFICE, start=berlin(2025, 3, 17, 9), duration=-HOUR)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "unknown time zone"),
        ({"working_weekdays": frozenset()}, "working_weekdays is empty"),
        ({"working_weekdays": frozenset({7})}, "0 \\(Monday\\) to 6"),
        ({"working_hours": ()}, "working_hours is empty"),
        ({"working_hours": ((time(17), time(9)),)}, "closes before it opens"),
        ({"working_hours": ((time(8), time(12)), (time(11), time(17)))}, "overlaps"),
        ({"working_hours": ((time(9, tzinfo=UTC), time(17)),)}, "drop tzinfo"),
        ({"holidays": frozenset({datetime(2025, 1, 1)})}, "must be dates"),
    ],
)
def test_a_bad_calendar_says_what_is_wrong(arguments: dict[str, object], message: str):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**arguments)  # type: ignore[arg-type]


def test_an_unknown_country_is_a_value_error():
    with pytest.raises(ValueError, match="no public holidays known for 'XX'"):
        OFFICE.with_country_holidays(country="XX", years=[2025])


def test_lists_from_config_give_an_equal_hashable_calendar():
    from_lists = BusinessCalendar(
        time_zone="Europe/Berlin",
        working_weekdays=[0, 1, 2, 3, 4],  # type: ignore[arg-type]
        working_hours=[[time(9), time(17)]],  # type: ignore[arg-type]
    )
    assert from_lists == OFFICE
    assert hash(from_lists) == hash(OFFICE)


# --- properties -----------------------------------------------------------------------------------

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # half-hour DST shift
    "America/Santiago",  # DST changes at midnight
    "Pacific/Chatham",
    "America/Havana",  # midnight is skipped in spring
]


@st.composite
def working_hours(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    quarters = sorted(draw(st.lists(st.integers(0, 96), min_size=2, max_size=6, unique=True)))
    as_time = [time(0) if q == 96 else time(q // 4, q % 4 * 15) for q in quarters]
    return tuple(zip(as_time[0::2], as_time[1::2], strict=False))


calendars = st.builds(
    BusinessCalendar,
    time_zone=st.sampled_from(ZONES),
    working_weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    working_hours=working_hours(),
    holidays=st.frozensets(st.dates(date(2024, 1, 1), date(2026, 12, 31)), max_size=30),
)
instants = st.datetimes(datetime(2024, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC))
durations = st.timedeltas(timedelta(0), timedelta(hours=400))


@PROPERTIES
@given(calendar=calendars, start=instants, duration=durations)
def test_adding_then_measuring_gives_the_duration_back(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
):
    end = add_business_time(calendar, start=start, duration=duration)
    assert business_time_between(calendar, start=start, end=end) == duration
    opening = next_opening(calendar, start)
    assert business_time_between(calendar, start=opening, end=end) == duration
    assert add_business_time(calendar, start=opening, duration=duration) == (end if duration else opening)
    assert end - start >= duration


@PROPERTIES
@given(calendar=calendars, start=instants, shorter=durations, longer=durations)
def test_adding_more_never_ends_earlier(
    calendar: BusinessCalendar, start: datetime, shorter: timedelta, longer: timedelta
):
    shorter, longer = sorted((shorter, longer))
    assert add_business_time(calendar, start=start, duration=shorter) <= add_business_time(
        calendar, start=start, duration=longer
    )


@PROPERTIES
@given(calendar=calendars, first=instants, second=instants, duration=durations)
def test_starting_later_never_ends_earlier(
    calendar: BusinessCalendar, first: datetime, second: datetime, duration: timedelta
):
    first, second = sorted((first, second))
    assert add_business_time(calendar, start=first, duration=duration) <= add_business_time(
        calendar, start=second, duration=duration
    )


@PROPERTIES
@given(calendar=calendars, points=st.lists(instants, min_size=3, max_size=3))
def test_measuring_is_additive_and_bounded_by_wall_time(calendar: BusinessCalendar, points: list[datetime]):
    a, b, c = sorted(points)
    whole = business_time_between(calendar, start=a, end=c)
    assert whole == business_time_between(calendar, start=a, end=b) + business_time_between(
        calendar, start=b, end=c
    )
    assert timedelta(0) <= whole <= c - a
    assert business_time_between(calendar, start=c, end=a) == timedelta(0)


@PROPERTIES
@given(calendar=calendars, at=instants)
def test_next_opening_is_the_first_business_instant(calendar: BusinessCalendar, at: datetime):
    opening = next_opening(calendar, at)
    assert opening >= at
    assert opening.tzinfo is UTC
    assert is_business_time(calendar, opening)
    assert business_time_between(calendar, start=at, end=opening) == timedelta(0)
    one_tick = timedelta(microseconds=1)
    assert business_time_between(calendar, start=opening, end=opening + one_tick) == one_tick
    assert is_business_time(calendar, at) == (opening == at)


@PROPERTIES
@given(
    time_zone=st.timezone_keys(),
    start=st.datetimes(datetime(1990, 1, 1), datetime(2040, 1, 1), timezones=st.just(UTC)),
    duration=st.timedeltas(timedelta(0), timedelta(days=60)),
)
def test_a_24x7_calendar_is_wall_clock_arithmetic_in_any_zone(
    time_zone: str, start: datetime, duration: timedelta
):
    always = BusinessCalendar.twenty_four_seven(time_zone=time_zone)
    assert add_business_time(always, start=start, duration=duration) == start + duration
    assert business_time_between(always, start=start, end=start + duration) == duration
    assert is_business_time(always, start)
