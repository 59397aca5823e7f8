"""The figures a report is made of: small frozen records, each with the counts its percentages come from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent; None when there is nothing to divide."""
    return round(100.0 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Volume:
    opened: int
    resolved: int
    closed: int
    reopened: int
    cancelled: int


@dataclass(frozen=True)
class AgeBucket:
    label: str
    count: int


@dataclass(frozen=True)
class Backlog:
    at: datetime
    total: int
    by_status: dict[str, int]
    by_age: tuple[AgeBucket, ...]
    oldest_seconds: float | None


@dataclass(frozen=True)
class Duration:
    """A mean time: `measured` says from what to what; business time counts the team's working hours."""

    measured: str
    count: int
    wall_seconds: float | None
    business_seconds: float | None


@dataclass(frozen=True)
class SlaLine:
    priority: str
    response_met: int
    response_breached: int
    resolution_met: int
    resolution_breached: int

    @property
    def response_pct(self) -> float | None:
        return share(self.response_met, self.response_met + self.response_breached)

    @property
    def resolution_pct(self) -> float | None:
        return share(self.resolution_met, self.resolution_met + self.resolution_breached)


@dataclass(frozen=True)
class FirstContact:
    resolved: int
    first_contact: int

    @property
    def pct(self) -> float | None:
        return share(self.first_contact, self.resolved)


@dataclass(frozen=True)
class Deflection:
    reports: int
    self_service: int

    @property
    def pct(self) -> float | None:
        return share(self.self_service, self.reports)


@dataclass(frozen=True)
class ArticleUse:
    slug: str
    title: str
    suggested: int
    solved: int
    not_helpful: int


@dataclass(frozen=True)
class Satisfaction:
    closed: int
    rated: int
    average: float | None
    satisfied: int
    by_score: tuple[int, int, int, int, int]  # how many answered 1, 2, 3, 4, 5

    @property
    def satisfied_pct(self) -> float | None:
        return share(self.satisfied, self.rated)

    @property
    def response_pct(self) -> float | None:
        return share(self.rated, self.closed)


@dataclass(frozen=True)
class AgentLoad:
    name: str
    open_assigned: int
    resolved: int


@dataclass(frozen=True)
class DayVolume:
    day: str
    opened: int
    resolved: int


@dataclass(frozen=True)
class CategoryTimes:
    category: str
    count: int
    wall_seconds: float | None
    business_seconds: float | None


@dataclass(frozen=True)
class Tally:
    """Summed over the filtered tickets: one figure's values on one day, by priority, category and key (each
    empty or 0 where the figure does not tell them apart)."""

    figure: str
    day: str
    priority: str
    category: str
    key: str
    title: str
    values: tuple[float, ...]
