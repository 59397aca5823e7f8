"""SLA clocks over a ticket's status history, measured in business time.

The resolution clock runs while a ticket is new or in progress, pauses on hold, stops once resolved,
closed or cancelled, and runs again when the ticket is reopened. The first-response clock follows the
same rules but stops for good at the first response, or at the first stop (a ticket resolved or
cancelled before anyone answered has nothing left to answer).

History is a time-ordered sequence of (at, status) pairs whose first entry is the ticket's creation.
Entries after `now`, and a response after `now`, are ignored, so a stored history can be replayed as it
looked at any moment.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from core.business_time.calendar import BusinessCalendar, add_business_time, business_time_between
from core.business_time.instants import as_utc


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class SlaClock(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


class StatusChange(NamedTuple):
    """One entry of a ticket's history; plain (at, status) tuples work the same."""

    at: datetime
    status: str


RUNNING_STATUSES: frozenset[str] = frozenset({"new", "in_progress", "reopened"})
PAUSED_STATUSES: frozenset[str] = frozenset({"on_hold"})
STOPPED_STATUSES: frozenset[str] = frozenset({"resolved", "closed", "cancelled"})


@dataclass(frozen=True)
class ClockReading:
    """One clock as it stands at `now`; `due_at` is None unless the clock is running."""

    state: ClockState
    elapsed: timedelta
    target: timedelta
    due_at: datetime | None

    @property
    def share(self) -> float:
        return self.elapsed / self.target

    @property
    def remaining(self) -> timedelta:
        return max(self.target - self.elapsed, timedelta(0))


def clock_state_of(status: str) -> ClockState:
    if status in RUNNING_STATUSES:
        return ClockState.RUNNING
    if status in PAUSED_STATUSES:
        return ClockState.PAUSED
    if status in STOPPED_STATUSES:
        return ClockState.STOPPED
    known = sorted(RUNNING_STATUSES | PAUSED_STATUSES | STOPPED_STATUSES)
    raise ValueError(f"unknown ticket status {status!r}: expected one of {', '.join(known)}")


def read_clock(
    calendar: BusinessCalendar,
    history: Sequence[tuple[datetime, str]],
    *,
    target: timedelta,
    now: datetime,
    clock: SlaClock = SlaClock.RESOLUTION,
    responded_at: datetime | None = None,
) -> ClockReading:
    """State, elapsed business time and due instant of one clock at `now`.

    While running, `due_at` is when the target runs out if nothing changes; if it has already run
    out, it is the past instant at which it did.
    """
    if target <= timedelta(0):
        raise ValueError(f"target must be positive, got {target}")
    now = as_utc(now, name="now")
    timeline = _timeline(history, clock=clock, responded_at=responded_at, now=now)
    state = timeline[-1][1]
    running = state is ClockState.RUNNING
    elapsed, due = _measure(calendar, timeline, now=now, target=target if running else None)
    return ClockReading(state=state, elapsed=elapsed, target=target, due_at=due)


def elapsed_business_time(
    calendar: BusinessCalendar,
    history: Sequence[tuple[datetime, str]],
    *,
    now: datetime,
    clock: SlaClock = SlaClock.RESOLUTION,
    responded_at: datetime | None = None,
) -> timedelta:
    """Business time that counts toward the clock's target up to `now`."""
    now = as_utc(now, name="now")
    timeline = _timeline(history, clock=clock, responded_at=responded_at, now=now)
    elapsed, _ = _measure(calendar, timeline, now=now, target=None)
    return elapsed


def due_at(
    calendar: BusinessCalendar,
    history: Sequence[tuple[datetime, str]],
    *,
    target: timedelta,
    now: datetime,
    clock: SlaClock = SlaClock.RESOLUTION,
    responded_at: datetime | None = None,
) -> datetime | None:
    """When the target runs out if nothing changes; None while the clock is paused or stopped."""
    return read_clock(
        calendar, history, target=target, now=now, clock=clock, responded_at=responded_at
    ).due_at


def share_elapsed(
    calendar: BusinessCalendar,
    history: Sequence[tuple[datetime, str]],
    *,
    target: timedelta,
    now: datetime,
    clock: SlaClock = SlaClock.RESOLUTION,
    responded_at: datetime | None = None,
) -> float:
    """Elapsed business time over the target: 0.75 is three quarters used, 1.0 or more is breached."""
    return read_clock(calendar, history, target=target, now=now, clock=clock, responded_at=responded_at).share


def _measure(
    calendar: BusinessCalendar,
    timeline: list[tuple[datetime, ClockState]],
    *,
    now: datetime,
    target: timedelta | None,
) -> tuple[timedelta, datetime | None]:
    """Elapsed business time up to `now`, and (given a target) the instant the target is used up."""
    elapsed = timedelta(0)
    due: datetime | None = None
    for start, end in _running_spans(timeline):
        # Only the last span can be open, and only it can reach past `now`.
        counted = business_time_between(calendar, start=start, end=now if end is None else end)
        if target is not None and due is None and (end is None or target - elapsed <= counted):
            # For the open span this looks past `now`: that is what "if nothing changes" means.
            due = add_business_time(calendar, start=start, duration=target - elapsed)
        elapsed += counted
    return elapsed, due


def _timeline(
    history: Sequence[tuple[datetime, str]],
    *,
    clock: SlaClock,
    responded_at: datetime | None,
    now: datetime,
) -> list[tuple[datetime, ClockState]]:
    """The clock's state changes as of `now`; the creation entry is kept even if it lies after `now`."""
    if not history:
        raise ValueError("history is empty: it must start with the ticket's creation")
    changes: list[tuple[datetime, ClockState]] = []
    for index, (at, status) in enumerate(history):
        at = as_utc(at, name=f"history[{index}].at")
        if changes and at < changes[-1][0]:
            raise ValueError(f"history[{index}] at {at.isoformat()} is earlier than the entry before it")
        changes.append((at, clock_state_of(status)))
    timeline = changes[:1] + [change for change in changes[1:] if change[0] <= now]
    if clock is SlaClock.RESOLUTION:
        return timeline
    response = None if responded_at is None else as_utc(responded_at, name="responded_at")
    if response is not None and response > now:
        response = None
    first_response: list[tuple[datetime, ClockState]] = []
    for at, state in timeline:
        if response is not None and at >= response:
            break
        first_response.append((at, state))
        if state is ClockState.STOPPED:
            return first_response
    if response is not None:
        first_response.append((response, ClockState.STOPPED))
    return first_response


def _running_spans(timeline: list[tuple[datetime, ClockState]]) -> Iterator[tuple[datetime, datetime | None]]:
    """(start, end) of each running stretch; end is None while it is still running."""
    for index, (at, state) in enumerate(timeline):
        if state is ClockState.RUNNING:
            yield at, timeline[index + 1][0] if index + 1 < len(timeline) else None
