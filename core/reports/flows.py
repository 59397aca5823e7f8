"""The two flows most figures come from, each one aggregate query over one table: what came in (tickets
reported, by day and priority) and what moved (status changes, by day and by who resolved).

Several figures (volume, tickets per day, SLA by priority, deflection, resolutions per agent) are sums over
these few hundred aggregated rows, so the large tables are read once each, not once per figure.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, timedelta

from sqlalchemy import and_, case, false, func, or_, select, union
from sqlalchemy.orm import Session

from core.lifecycle import Status
from core.reports.figures import DayVolume, Deflection, SlaLine, Volume
from core.reports.metrics import OPEN, REOPENING, STATUS_CHANGE, WORKLOAD_ROLES, count_if, within
from core.reports.period import Period, ReportFilter
from core.reports.sql import filtered, utc_day
from core.storage.models import AuditRow, PersonRow, SlaEventRow, TicketRow

PRIORITIES = ("P1", "P2", "P3", "P4")


@dataclass(frozen=True)
class Intake:
    """Tickets reported on one day with one priority. The SLA counts leave self-service out: a clock is
    breached when the SLA sweep recorded its breach, met when it stopped (first response given, ticket
    resolved) without one; clocks still running and not yet breached are in neither."""

    day: str
    priority: str
    opened: int
    self_service: int
    response_met: int
    response_breached: int
    resolution_met: int
    resolution_breached: int


@dataclass(frozen=True)
class Movement:
    """Status changes on one day; `resolver_id` is who resolved, when they are someone the report's workload
    names (None on the row of every other change)."""

    day: str
    resolver_id: int | None
    resolved: int
    closed: int
    reopened: int
    cancelled: int


def intake(session: Session, *, period: Period, filters: ReportFilter) -> list[Intake]:
    breaches = select(
        SlaEventRow.ticket_id,
        func.max(case((SlaEventRow.clock == "first_response", 1), else_=0)).label("response"),
        func.max(case((SlaEventRow.clock == "resolution", 1), else_=0)).label("resolution"),
    ).where(SlaEventRow.kind == "breach",
            # A breach comes after its ticket was reported: older ones belong to tickets outside the period.
            SlaEventRow.at >= period.since).group_by(SlaEventRow.ticket_id).subquery()
    handled = TicketRow.self_service.is_(false())
    response_breached = and_(handled, func.coalesce(breaches.c.response, 0) == 1)
    resolution_breached = and_(handled, func.coalesce(breaches.c.resolution, 0) == 1)
    day = utc_day(TicketRow.created_at)
    rows = session.execute(filtered(select(
        day, TicketRow.priority, func.count(), count_if(TicketRow.self_service.is_(True)),
        count_if(and_(handled, TicketRow.first_response_at.is_not(None), ~response_breached)),
        count_if(response_breached),
        count_if(and_(handled, TicketRow.resolved_at.is_not(None), ~resolution_breached)),
        count_if(resolution_breached),
    ).select_from(TicketRow).outerjoin(breaches, breaches.c.ticket_id == TicketRow.id)
        .where(within(TicketRow.created_at, period)).group_by(day, TicketRow.priority), filters)).all()
    return [Intake(*row) for row in rows]


def movements(session: Session, *, period: Period, filters: ReportFilter) -> list[Movement]:
    # Requesters who solve their own tickets would make a group each: only the people the workload names
    # (agents, and anyone with open tickets assigned) are told apart.
    # (Asked first: as a subquery it would keep PostgreSQL from sharing the scan among parallel workers.)
    workers = [*session.scalars(union(
        select(PersonRow.id).where(PersonRow.role.in_(WORKLOAD_ROLES)),
        select(TicketRow.assignee_id).where(TicketRow.status.in_(OPEN), TicketRow.assignee_id.is_not(None)))),
        *([filters.agent_id] if filters.agent_id is not None else [])]
    resolver = case((and_(AuditRow.new == Status.RESOLVED.value, AuditRow.actor_id.in_(workers)), AuditRow.actor_id))
    day = utc_day(AuditRow.at)
    statement = select(
        day, resolver, count_if(AuditRow.new == Status.RESOLVED.value), count_if(AuditRow.new == Status.CLOSED.value),
        count_if(REOPENING), count_if(AuditRow.new == Status.CANCELLED.value),
    ).select_from(AuditRow).where(STATUS_CHANGE, within(AuditRow.at, period), or_(
        AuditRow.new.in_((Status.RESOLVED.value, Status.CLOSED.value, Status.CANCELLED.value)), REOPENING,
    )).group_by(day, resolver)
    if filters != ReportFilter():
        statement = filtered(statement.join(TicketRow, TicketRow.id == AuditRow.ticket_id), filters)
    return [Movement(*row) for row in session.execute(statement).all()]


def volume(intakes: list[Intake], moves: list[Movement]) -> Volume:
    """Opened: tickets reported in the period. Resolved, closed, reopened, cancelled: the status changes of
    the period (a ticket resolved, reopened and resolved again counts twice under resolved, once under
    reopened; a ticket closes or is cancelled only once)."""
    return Volume(opened=sum(i.opened for i in intakes), resolved=sum(m.resolved for m in moves),
                  closed=sum(m.closed for m in moves), reopened=sum(m.reopened for m in moves),
                  cancelled=sum(m.cancelled for m in moves))


def daily(period: Period, intakes: list[Intake], moves: list[Movement]) -> list[DayVolume]:
    """Tickets reported and resolutions on each UTC day of the period (quiet days included)."""
    opened: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    for i in intakes:
        opened[i.day] += i.opened
    for m in moves:
        resolved[m.day] += m.resolved
    days: list[DayVolume] = []
    day = period.since.astimezone(UTC).date()
    last = (period.until - timedelta(microseconds=1)).astimezone(UTC).date()
    while day <= last:
        days.append(DayVolume(day.isoformat(), opened[day.isoformat()], resolved[day.isoformat()]))
        day += timedelta(days=1)
    return days


def sla_by_priority(intakes: list[Intake]) -> list[SlaLine]:
    totals: dict[str, list[int]] = {}
    for i in intakes:
        counts = totals.setdefault(i.priority, [0, 0, 0, 0])
        for n, value in enumerate((i.response_met, i.response_breached, i.resolution_met, i.resolution_breached)):
            counts[n] += value
    return [SlaLine(p, *totals.get(p, [0, 0, 0, 0])) for p in sorted(set(PRIORITIES) | set(totals))]


def deflection(intakes: list[Intake]) -> Deflection:
    """Of the tickets reported in the period: those resolved by an article the requester said solved it."""
    return Deflection(reports=sum(i.opened for i in intakes), self_service=sum(i.self_service for i in intakes))


def resolutions_by(moves: list[Movement]) -> dict[int, int]:
    found: Counter[int] = Counter()
    for m in moves:
        if m.resolver_id is not None:
            found[m.resolver_id] += m.resolved
    return dict(found)
