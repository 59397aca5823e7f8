"""What a report covers: a period [since, until) and filters on the tickets' attributes."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta

_RELATIVE = re.compile(r"^(\d+)\s*([hdw])$")
UNITS = {"h": "hours", "d": "days", "w": "weeks"}
DEFAULT_SPAN = timedelta(days=30)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


class PeriodError(ValueError):
    """A period a person wrote that cannot be read; the message says how to write it."""


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("a period's instants must be timezone-aware")
        if self.until <= self.since:
            raise PeriodError(f"the period ends ({self.until:%Y-%m-%d %H:%M}) before it starts "
                              f"({self.since:%Y-%m-%d %H:%M})")

    @property
    def span(self) -> timedelta:
        return self.until - self.since

    def describe(self) -> str:
        days = self.span / timedelta(days=1)
        hours = self.span / timedelta(hours=1)
        length = f"{round(days, 1):g} days" if days >= 1 else f"{round(hours, 1):g} hours"
        return f"{self.since:%Y-%m-%d %H:%M} to {self.until:%Y-%m-%d %H:%M} UTC ({length})"


def parse_instant(text: str, *, now: datetime, relative_to: datetime | None = None) -> datetime:
    """`30d`, `12h`, `4w` (before `relative_to`, default now), `2026-03-01` (midnight UTC) or an ISO instant
    with its offset (`2026-03-01T09:00+01:00`)."""
    raw = text.strip().lower()
    match = _RELATIVE.match(raw)
    if match:
        amount, unit = int(match.group(1)), UNITS[match.group(2)]
        try:
            at = (relative_to or now) - timedelta(**{unit: amount})
        except OverflowError:
            at = EARLIEST - timedelta(days=1)
        if at < EARLIEST:
            raise PeriodError(f"{text.strip()!r} reaches back before 1970: give a shorter span (like 365d) or a "
                              "date (like 2024-01-01).")
        return at
    if raw == "now":
        return now
    try:
        if len(raw) == 10:
            at = datetime.combine(date.fromisoformat(raw), time(0), tzinfo=UTC)
        else:
            at = datetime.fromisoformat(text.strip())
    except ValueError:
        at = None
    if at is None:
        raise PeriodError(f"Cannot read {text.strip()!r} as a time: write 30d, 12h, 4w, 2026-03-01 or "
                          "2026-03-01T09:00+01:00.")
    if at.tzinfo is None:
        raise PeriodError(f"{text.strip()!r} has no offset: write 2026-03-01T09:00+01:00 (or a date).")
    if at < EARLIEST:
        raise PeriodError(f"{text.strip()!r} is before 1970: give a later date (like 2024-01-01).")
    return at.astimezone(UTC)


def parse_period(since: str | None, until: str | None, *, now: datetime) -> Period:
    """The period from `since` to `until` (default: the 30 days up to now); a relative `since` counts back
    from `until`."""
    end = parse_instant(until, now=now) if until else now
    start = parse_instant(since, now=now, relative_to=end) if since else end - DEFAULT_SPAN
    return Period(since=start, until=end)


def parse_chat_period(text: str, *, now: datetime) -> Period:
    """`/desk report` takes `30d`, `2026-02-01` (to now) or `2026-02-01..2026-03-01`."""
    text = text.strip()
    if ".." in text:
        since, until = text.split("..", 1)
        return parse_period(since or None, until or None, now=now)
    return parse_period(text or None, None, now=now)


@dataclass(frozen=True)
class ReportFilter:
    """Which tickets count. Empty fields match everything; `agent` is a person's id (the assignee)."""

    team: str = ""
    agent_id: int | None = None
    kind: str = ""
    category: str = ""
    service: str = ""
    platform: str = ""

    def describe(self, *, agent_name: str = "") -> str:
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "agent_id":
                if value is not None:
                    parts.append(f"agent {agent_name or value}")
            elif value:
                parts.append(f"{f.name} {value}")
        return ", ".join(parts) or "all tickets"
