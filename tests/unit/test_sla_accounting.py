from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.business_time import (
    BusinessCalendar,
    ClockState,
    SlaClock,
    SlaPolicy,
    SlaTargets,
    StatusChange,
    add_business_time,
    business_time_between,
    due_at,
    elapsed_business_time,
    read_clock,
    share_elapsed,
)

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = timedelta(hours=1)
OFFICE = BusinessCalendar(time_zone="Europe/Berlin")
POLICY = SlaPolicy()
PROPERTIES = settings(deadline=None, database=None, max_examples=150)


def berlin(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Berlin wall-clock reading in 2025 as a UTC instant. 17 March 2025 is a Monday."""
    return datetime(2025, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


MONDAY = 17  # March 2025


# --- the resolution clock -------------------------------------------------------------------------


def test_p1_reported_friday_half_past_four_is_due_monday_half_past_twelve():
    reported = berlin(3, 14, 16, 30)
    target = POLICY.target(priority="P1", clock=SlaClock.RESOLUTION)
    due = due_at(OFFICE, [(reported, "new")], target=target, now=reported)
    assert due == datetime(2025, 3, 17, 11, 30, tzinfo=UTC)


def test_p1_with_a_holiday_on_monday_is_due_tuesday_half_past_twelve():
    calendar = BusinessCalendar(time_zone="Europe/Berlin", holidays=frozenset({date(2025, 3, 17)}))
    reported = berlin(3, 14, 16, 30)
    due = due_at(calendar, [(reported, "new")], target=4 * HOUR, now=reported)
    assert due == berlin(3, 18, 12, 30)


def test_on_hold_time_does_not_count():
    history = [
        (berlin(3, MONDAY, 9), "new"),
        (berlin(3, MONDAY, 10), "on_hold"),
        (berlin(3, MONDAY, 14), "in_progress"),
    ]
    now = berlin(3, MONDAY, 15)
    assert elapsed_business_time(OFFICE, history, now=now) == 2 * HOUR
    assert due_at(OFFICE, history, target=4 * HOUR, now=now) == berlin(3, MONDAY, 17)


def test_the_clock_has_no_due_time_while_on_hold_but_still_reports_its_share():
    history = [(berlin(3, MONDAY, 9), "new"), (berlin(3, MONDAY, 12), "on_hold")]
    reading = read_clock(OFFICE, history, target=4 * HOUR, now=berlin(3, MONDAY, 16))
    assert reading.state is ClockState.PAUSED
    assert reading.due_at is None
    assert reading.elapsed == 3 * HOUR
    assert reading.share == 0.75
    assert reading.remaining == HOUR


def test_resolving_stops_the_clock():
    history = [(berlin(3, MONDAY, 9), "new"), (berlin(3, MONDAY, 11), "resolved")]
    later = berlin(3, MONDAY + 3, 12)
    reading = read_clock(OFFICE, history, target=4 * HOUR, now=later)
    assert reading.state is ClockState.STOPPED
    assert reading.elapsed == 2 * HOUR
    assert reading.due_at is None


@pytest.mark.parametrize("stop", ["resolved", "closed", "cancelled"])
@pytest.mark.parametrize("resume", ["in_progress", "reopened"])
def test_reopening_resumes_the_clock_where_it_stopped(stop: str, resume: str):
    history = [
        (berlin(3, MONDAY, 9), "new"),
        (berlin(3, MONDAY, 11), stop),
        (berlin(3, MONDAY + 1, 10), resume),
    ]
    now = berlin(3, MONDAY + 1, 12)
    assert elapsed_business_time(OFFICE, history, now=now) == 4 * HOUR
    assert due_at(OFFICE, history, target=8 * HOUR, now=now) == berlin(3, MONDAY + 1, 16)


def test_a_breached_running_clock_is_due_at_the_moment_it_ran_out():
    history = [(berlin(3, MONDAY, 9), "new"), (berlin(3, MONDAY, 9, 30), "in_progress")]
    now = berlin(3, MONDAY, 15)
    assert due_at(OFFICE, history, target=HOUR, now=now) == berlin(3, MONDAY, 10)
    assert share_elapsed(OFFICE, history, target=HOUR, now=now) == 6.0


def test_three_quarters_used_reaches_the_default_warning_share():
    history = [(berlin(3, MONDAY, 9), "new")]
    share = share_elapsed(
        OFFICE,
        history,
        target=POLICY.target(priority="P1", clock=SlaClock.RESOLUTION),
        now=berlin(3, MONDAY, 12),
    )
    assert share == 0.75
    assert share >= POLICY.warn_at


def test_history_after_now_is_ignored_so_the_past_can_be_replayed():
    history = [(berlin(3, MONDAY, 9), "new"), (berlin(3, MONDAY, 11), "resolved")]
    reading = read_clock(OFFICE, history, target=4 * HOUR, now=berlin(3, MONDAY, 10, 30))
    assert reading.state is ClockState.RUNNING
    assert reading.elapsed == 90 * timedelta(minutes=1)
    assert reading.due_at == berlin(3, MONDAY, 13)


def test_before_creation_nothing_has_elapsed_and_the_due_time_counts_from_creation():
    created = berlin(3, MONDAY, 9)
    reading = read_clock(OFFICE, [(created, "new")], target=HOUR, now=created - HOUR)
    assert reading.elapsed == timedelta(0)
    assert reading.due_at == berlin(3, MONDAY, 10)


def test_a_status_enum_from_elsewhere_works_like_its_string_values():
    class Status(StrEnum):
        NEW = "new"
        ON_HOLD = "on_hold"

    history = [
        StatusChange(berlin(3, MONDAY, 9), Status.NEW),
        StatusChange(berlin(3, MONDAY, 10), Status.ON_HOLD),
    ]
    assert elapsed_business_time(OFFICE, history, now=berlin(3, MONDAY, 12)) == HOUR


def test_a_ticket_open_for_two_years_is_accounted_quickly():
    history = [(berlin(1, 6, 9), "new"), (berlin(6, 2, 9), "on_hold"), (berlin(6, 9, 9), "in_progress")]
    now = datetime(2027, 1, 4, 8, tzinfo=UTC)  # Monday morning, before opening
    expected = business_time_between(OFFICE, start=berlin(1, 6, 9), end=now) - 5 * 8 * HOUR
    assert elapsed_business_time(OFFICE, history, now=now) == expected


# --- the first-response clock ---------------------------------------------------------------------


def test_first_response_clock_stops_at_the_response_and_pauses_on_hold():
    history = [
        (berlin(3, MONDAY, 9), "new"),
        (berlin(3, MONDAY, 9, 10), "on_hold"),
        (berlin(3, MONDAY, 10), "in_progress"),
    ]
    responded = berlin(3, MONDAY, 10, 20)
    reading = read_clock(
        OFFICE,
        history,
        target=15 * timedelta(minutes=1),
        now=berlin(3, MONDAY, 16),
        clock=SlaClock.FIRST_RESPONSE,
        responded_at=responded,
    )
    assert reading.state is ClockState.STOPPED
    assert reading.elapsed == 30 * timedelta(minutes=1)
    assert reading.due_at is None


def test_first_response_due_time_before_anyone_answers():
    reported = berlin(3, 14, 16, 50)
    target = POLICY.target(priority="P1", clock=SlaClock.FIRST_RESPONSE)
    due = due_at(OFFICE, [(reported, "new")], target=target, now=reported, clock=SlaClock.FIRST_RESPONSE)
    assert due == berlin(3, MONDAY, 9, 5)


def test_a_response_after_now_is_not_known_yet():
    history = [(berlin(3, MONDAY, 9), "new")]
    reading = read_clock(
        OFFICE,
        history,
        target=HOUR,
        now=berlin(3, MONDAY, 9, 30),
        clock=SlaClock.FIRST_RESPONSE,
        responded_at=berlin(3, MONDAY, 9, 45),
    )
    assert reading.state is ClockState.RUNNING
    assert reading.due_at == berlin(3, MONDAY, 10)


def test_resolving_before_any_response_ends_the_first_response_clock_for_good():
    history = [
        (berlin(3, MONDAY, 9), "new"),
        (berlin(3, MONDAY, 10), "resolved"),
        (berlin(3, MONDAY, 11), "reopened"),
    ]
    now = berlin(3, MONDAY, 15)
    first = read_clock(OFFICE, history, target=4 * HOUR, now=now, clock=SlaClock.FIRST_RESPONSE)
    assert (first.state, first.elapsed, first.due_at) == (ClockState.STOPPED, HOUR, None)
    assert elapsed_business_time(OFFICE, history, now=now) == 5 * HOUR


def test_the_resolution_clock_ignores_the_response():
    history = [(berlin(3, MONDAY, 9), "new")]
    now = berlin(3, MONDAY, 12)
    assert elapsed_business_time(OFFICE, history, now=now, responded_at=berlin(3, MONDAY, 9, 5)) == 3 * HOUR


# --- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ([], "history is empty"),
        (
            [(berlin(3, MONDAY, 10), "new"), (berlin(3, MONDAY, 9), "resolved")],
            "earlier than the entry before",
        ),
        ([(berlin(3, MONDAY, 9), "waiting")], "unknown ticket status 'waiting'"),
        ([(datetime(2025, 3, 17, 9), "new")], "timezone-aware"),
    ],
)
def test_a_bad_history_says_what_is_wrong(history: list[tuple[datetime, str]], message: str):
    with pytest.raises(ValueError, match=message):
        read_clock(OFFICE, history, target=HOUR, now=berlin(3, MONDAY, 12))


def test_a_target_must_be_positive():
    with pytest.raises(ValueError, match="target must be positive"):
        due_at(OFFICE, [(berlin(3, MONDAY, 9), "new")], target=timedelta(0), now=berlin(3, MONDAY, 12))


# --- policy ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("priority", "first_response", "resolution"),
    [
        ("P1", timedelta(minutes=15), 4 * HOUR),
        ("p2", HOUR, 8 * HOUR),
        ("P3", 4 * HOUR, 24 * HOUR),
        (" P4 ", 8 * HOUR, 72 * HOUR),
    ],
)
def test_default_policy_targets(priority: str, first_response: timedelta, resolution: timedelta):
    assert POLICY.targets_for(priority) == SlaTargets(first_response=first_response, resolution=resolution)
    assert POLICY.target(priority=priority, clock=SlaClock.FIRST_RESPONSE) == first_response
    assert POLICY.target(priority=priority, clock=SlaClock.RESOLUTION) == resolution
    assert POLICY.warn_at == 0.75


def test_an_unknown_priority_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown priority 'P5': use one of P1, P2, P3, P4"):
        POLICY.targets_for("P5")


def test_policy_values_are_checked():
    with pytest.raises(ValueError, match="warn_at"):
        SlaPolicy(warn_at=1.5)
    with pytest.raises(ValueError, match="positive"):
        SlaTargets(first_response=timedelta(0), resolution=HOUR)


# --- properties -----------------------------------------------------------------------------------

STATUSES = ["new", "in_progress", "on_hold", "resolved", "closed", "cancelled", "reopened"]


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[datetime, str]]:
    created = draw(st.datetimes(datetime(2025, 1, 1), datetime(2025, 12, 1), timezones=st.just(UTC)))
    steps = draw(
        st.lists(st.tuples(st.timedeltas(timedelta(0), timedelta(days=4)), st.sampled_from(STATUSES)))
    )
    history = [(created, "new")]
    for gap, status in steps:
        history.append((history[-1][0] + gap, status))
    return history


targets = st.timedeltas(timedelta(minutes=1), timedelta(hours=80))


@PROPERTIES
@given(history=histories(), extra=st.timedeltas(timedelta(0), timedelta(days=10)), target=targets)
def test_elapsed_at_the_due_time_is_exactly_the_target(
    history: list[tuple[datetime, str]], extra: timedelta, target: timedelta
):
    now = history[-1][0] + extra
    reading = read_clock(OFFICE, history, target=target, now=now)
    if reading.state is not ClockState.RUNNING:
        assert reading.due_at is None
        return
    assert reading.due_at is not None
    assert elapsed_business_time(OFFICE, history, now=reading.due_at) == target
    assert (reading.due_at <= now) == (reading.elapsed >= target)


@PROPERTIES
@given(
    history=histories(),
    first=st.timedeltas(timedelta(0), timedelta(days=30)),
    second=st.timedeltas(timedelta(0), timedelta(days=30)),
)
def test_elapsed_never_decreases_and_never_exceeds_business_time_since_creation(
    history: list[tuple[datetime, str]], first: timedelta, second: timedelta
):
    created = history[0][0]
    earlier, later = sorted((created + first, created + second))
    elapsed_earlier = elapsed_business_time(OFFICE, history, now=earlier)
    elapsed_later = elapsed_business_time(OFFICE, history, now=later)
    assert elapsed_earlier <= elapsed_later <= business_time_between(OFFICE, start=created, end=later)


@PROPERTIES
@given(
    history=histories(),
    extra=st.timedeltas(timedelta(0), timedelta(days=10)),
    response=st.timedeltas(timedelta(0), timedelta(days=20)),
)
def test_the_first_response_clock_never_runs_longer_than_the_resolution_clock(
    history: list[tuple[datetime, str]], extra: timedelta, response: timedelta
):
    now = history[-1][0] + extra
    responded_at = history[0][0] + response
    first = elapsed_business_time(
        OFFICE, history, now=now, clock=SlaClock.FIRST_RESPONSE, responded_at=responded_at
    )
    assert first <= elapsed_business_time(OFFICE, history, now=now)
    assert first <= business_time_between(OFFICE, start=history[0][0], end=responded_at)


@PROPERTIES
@given(
    created=st.datetimes(datetime(2025, 1, 1), datetime(2025, 12, 1), timezones=st.just(UTC)), target=targets
)
def test_an_untouched_ticket_is_due_when_the_calendar_says(created: datetime, target: timedelta):
    assert due_at(OFFICE, [(created, "new")], target=target, now=created) == add_business_time(
        OFFICE, start=created, duration=target
    )
