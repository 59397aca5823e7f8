"""The `desk.sla:` and `desk.teams:` sections of the config: targets, business calendars, tiers of teams."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.business_time.calendar import BusinessCalendar
from core.business_time.policy import PRIORITIES, SlaPolicy, SlaTargets

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DURATION = re.compile(r"^(?:(\d+)h)?\s*(?:(\d+)m)?$")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
DEFAULT_CALENDAR = "default"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def parse_duration(value: object) -> timedelta:
    """Business time as people write it: `15m`, `4h`, `1h30m`. Days are refused: a business day is not 24h."""
    if isinstance(value, timedelta):
        return value
    text = str(value).strip().lower().replace(" ", "")
    match = _DURATION.match(text)
    if not text or match is None or not any(match.groups()):
        raise ValueError(f"{value!r} is not a duration: write business time like 15m, 4h or 1h30m")
    hours, minutes = (int(part or 0) for part in match.groups())
    duration = timedelta(hours=hours, minutes=minutes)
    if duration <= timedelta(0):
        raise ValueError(f"{value!r}: a target must be longer than zero")
    return duration


class TargetSettings(Frozen):
    first_response: timedelta
    resolution: timedelta

    @field_validator("first_response", "resolution", mode="before")
    @classmethod
    def _duration(cls, value: object) -> timedelta:
        return parse_duration(value)

    @model_validator(mode="after")
    def _response_before_resolution(self) -> TargetSettings:
        if self.first_response > self.resolution:
            raise ValueError("first_response must not be longer than resolution")
        return self


DEFAULT_TARGETS: dict[str, TargetSettings] = {
    "P1": TargetSettings(first_response=timedelta(minutes=15), resolution=timedelta(hours=4)),
    "P2": TargetSettings(first_response=timedelta(hours=1), resolution=timedelta(hours=8)),
    "P3": TargetSettings(first_response=timedelta(hours=4), resolution=timedelta(hours=24)),
    "P4": TargetSettings(first_response=timedelta(hours=8), resolution=timedelta(hours=72)),
}


class CalendarSettings(Frozen):
    """When a team's clocks run. `hours` are local "HH:MM-HH:MM" spans; "00:00-00:00" is all day."""

    time_zone: str = "UTC"
    working_days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    hours: tuple[str, ...] = ("09:00-17:00",)
    holidays: tuple[date, ...] = ()
    country: str = ""
    subdivision: str = ""

    @field_validator("hours")
    @classmethod
    def _hours_read(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for span in value:
            _span(span)
        return value

    @model_validator(mode="after")
    def _builds(self) -> CalendarSettings:
        if self.subdivision and not self.country:
            raise ValueError("subdivision needs a country (e.g. country: DE, subdivision: BY)")
        self.calendar(2000)  # names a bad time zone, overlapping hours or an unknown country now, not later
        return self

    def calendar(self, year: int) -> BusinessCalendar:
        """The calendar, with the country's public holidays from the year before `year` to two after."""
        return _calendar(self, year)


def _span(text: str) -> tuple[time, time]:
    match = _HOURS.match(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a span of working hours: write it like 09:00-17:00")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(f"{text!r} is not a span of working hours: times run from 00:00 to 23:59")
    return time(h1, m1), time(h2, m2)


@lru_cache(maxsize=64)
def _calendar(settings: CalendarSettings, year: int) -> BusinessCalendar:
    calendar = BusinessCalendar(
        time_zone=settings.time_zone,
        working_weekdays=frozenset(WEEKDAYS.index(day) for day in settings.working_days),
        working_hours=tuple(_span(span) for span in settings.hours),
        holidays=frozenset(settings.holidays),
    )
    if settings.country:
        calendar = calendar.with_country_holidays(country=settings.country, years=range(year - 1, year + 3),
                                                  subdivision=settings.subdivision or None)
    return calendar


class SlaSettings(Frozen):
    targets: dict[str, TargetSettings] = Field(default_factory=lambda: dict(DEFAULT_TARGETS))
    warn_at: float = Field(default=0.75, gt=0, lt=1)
    auto_close_business_days: int = Field(default=7, ge=0)
    hold_reminder_business_days: int = Field(default=5, ge=0)
    digest_at: str = "08:30"
    calendars: dict[str, CalendarSettings] = Field(
        default_factory=lambda: {DEFAULT_CALENDAR: CalendarSettings()})

    @field_validator("targets")
    @classmethod
    def _targets_complete(cls, value: dict[str, TargetSettings]) -> dict[str, TargetSettings]:
        unknown = sorted(set(value) - set(PRIORITIES))
        if unknown:
            raise ValueError(f"unknown priority {unknown[0]!r}: targets are keyed P1, P2, P3, P4")
        return DEFAULT_TARGETS | value

    @field_validator("calendars")
    @classmethod
    def _has_default(cls, value: dict[str, CalendarSettings]) -> dict[str, CalendarSettings]:
        return {DEFAULT_CALENDAR: CalendarSettings()} | value

    @field_validator("digest_at")
    @classmethod
    def _digest_time(cls, value: str) -> str:
        if value and re.fullmatch(r"\d{1,2}:\d{2}", value.strip()) is None:
            raise ValueError(f"{value!r} is not a time of day: write it like 08:30, or \"\" for no digest")
        if value:
            _span(f"{value}-{value}")
        return value.strip()

    def policy(self) -> SlaPolicy:
        def targets(priority: str) -> SlaTargets:
            found = self.targets[priority]
            return SlaTargets(first_response=found.first_response, resolution=found.resolution)

        return SlaPolicy(p1=targets("P1"), p2=targets("P2"), p3=targets("P3"), p4=targets("P4"),
                         warn_at=self.warn_at)

    def digest_time(self) -> time | None:
        return _span(f"{self.digest_at}-{self.digest_at}")[0] if self.digest_at else None


class Team(Frozen):
    """A line of support. Tier 1 is the service desk; escalation goes one tier up, to the team of the next
    tier whose `categories` name the ticket's category (a team without categories takes any)."""

    name: str
    display: str = ""
    tier: int = Field(default=1, ge=1, le=9)
    channels: dict[str, str] = Field(default_factory=dict)
    on_call: str = ""
    categories: tuple[str, ...] = ()
    calendar: str = DEFAULT_CALENDAR

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value) is None:
            raise ValueError(f"{value!r}: a team name is lowercase letters, digits, - or _ (e.g. network)")
        return value

    @field_validator("channels")
    @classmethod
    def _channel_ids_are_strings(cls, value: dict[str, str]) -> dict[str, str]:
        return {str(k): str(v) for k, v in value.items()}

    @property
    def title(self) -> str:
        return self.display or self.name.replace("-", " ").replace("_", " ").title()


def default_teams() -> tuple[Team, ...]:
    """Three lines of support out of the box; without channels of their own they post in triage."""
    return (
        Team(name="service-desk", display="Service Desk", tier=1),
        Team(name="network", display="Network", tier=2, categories=("network",)),
        Team(name="workplace", display="Workplace", tier=2),
        Team(name="infrastructure", display="Infrastructure", tier=3),
    )


def check_teams(teams: tuple[Team, ...], *, sla: SlaSettings, people: set[str]) -> None:
    """Raise ValueError naming the first team that cannot work; `people`: lowercased names in desk.people."""
    if not teams:
        return
    names = [team.name for team in teams]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"team {name!r} is declared twice")
    if not any(team.tier == 1 for team in teams):
        raise ValueError(
            "no team has tier 1: name the first line (the service desk) so new tickets have a team")
    for team in teams:
        if team.calendar not in sla.calendars:
            raise ValueError(f"team {team.name!r}: no calendar {team.calendar!r} in desk.sla.calendars")
        if team.on_call and team.on_call.lower() not in people:
            raise ValueError(f"team {team.name!r}: on_call {team.on_call!r} is not a name in desk.people")
