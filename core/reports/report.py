"""One report: every figure over a period, computed in one read of the database."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from core.reports import flows, metrics
from core.reports.business import Mean, durations_of
from core.reports.figures import (
    AgentLoad,
    ArticleUse,
    Backlog,
    CategoryTimes,
    DayVolume,
    Deflection,
    Duration,
    FirstContact,
    Satisfaction,
    SlaLine,
    Volume,
)
from core.reports.period import Period, ReportFilter
from core.reports.requests import Requests, requests
from core.reports.rollup import tallies
from core.reports.sql import for_large_reads
from core.settings import DeskSettings

MTTA_MEASURED = "from report to first response by an agent"
MTTR_MEASURED = "from report to resolved (self-service left out)"


@dataclass(frozen=True)
class Report:
    period: Period
    filters: ReportFilter
    scope: str  # the filters in words
    generated_at: datetime
    volume: Volume
    backlog: Backlog
    mtta: Duration
    mttr: Duration
    sla: tuple[SlaLine, ...]
    first_contact: FirstContact
    deflection: Deflection
    knowledge: tuple[ArticleUse, ...]
    satisfaction: Satisfaction
    workload: tuple[AgentLoad, ...]
    daily: tuple[DayVolume, ...]
    mttr_by_category: tuple[CategoryTimes, ...]
    requests: Requests

    def to_dict(self) -> dict[str, Any]:
        """Every figure, with the percentages worked out, ready for JSON."""
        data = asdict(self)
        data["period"] = {"since": self.period.since.isoformat(), "until": self.period.until.isoformat()}
        data["generated_at"] = self.generated_at.isoformat()
        data["filters"] = {k: v for k, v in data["filters"].items() if v not in ("", None)}
        data["backlog"]["at"] = self.backlog.at.isoformat()
        data["sla"] = [asdict(line) | {"response_pct": line.response_pct,
                                       "resolution_pct": line.resolution_pct} for line in self.sla]
        data["first_contact"]["pct"] = self.first_contact.pct
        data["requests"]["rejection_pct"] = self.requests.rejection_pct
        data["deflection"]["pct"] = self.deflection.pct
        data["satisfaction"] |= {"by_score": dict(zip(("1", "2", "3", "4", "5"), self.satisfaction.by_score,
                                                      strict=True)),
                                 "satisfied_pct": self.satisfaction.satisfied_pct,
                                 "response_pct": self.satisfaction.response_pct}
        return data


def build_report(
    session: Session, settings: DeskSettings, *, period: Period, filters: ReportFilter, now: datetime,
    scope: str = "",
) -> Report:
    """Every figure of the period for the tickets `filters` names; backlog as it stood at the period's end."""
    for_large_reads(session)
    found = tallies(session, settings, period=period, filters=filters, clock=datetime.now(UTC))
    intakes = flows.intakes_of(found)
    moves = flows.movements_of(found)
    resolved_by = flows.resolutions_by(session, found, workers=flows.workers(session, filters), period=period,
                                       filters=filters)
    times = durations_of(found)
    return Report(
        period=period, filters=filters, scope=scope or filters.describe(), generated_at=now,
        volume=flows.volume(intakes, moves),
        backlog=metrics.backlog(session, at=min(period.until, now), now=now, filters=filters),
        mtta=_duration(MTTA_MEASURED, times.response),
        mttr=_duration(MTTR_MEASURED, times.resolution),
        sla=tuple(flows.sla_by_priority(intakes)),
        first_contact=metrics.first_contact_of(found),
        deflection=flows.deflection(intakes),
        knowledge=tuple(metrics.knowledge_of(found)),
        satisfaction=metrics.satisfaction_of(found),
        workload=tuple(metrics.workload(session, filters=filters, resolved_by=resolved_by)),
        daily=tuple(flows.daily(period, intakes, moves)),
        mttr_by_category=tuple(CategoryTimes(category, mean.count, _ms(mean.wall_seconds), _ms(mean.business_seconds))
                               for category, mean in sorted(times.resolution_by_category.items())),
        requests=requests(session, period=period),
    )


def _duration(measured: str, mean: Mean) -> Duration:
    return Duration(measured, mean.count, _ms(mean.wall_seconds), _ms(mean.business_seconds))


def _ms(seconds: float | None) -> float | None:
    return round(seconds, 3) if seconds is not None else None
