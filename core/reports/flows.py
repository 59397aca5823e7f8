"""The two flows most figures come from: what came in (tickets reported, by day and priority) and what
moved (status changes, by day and by who resolved), read from the report's tallies (`tallies.py`).

Several figures (volume, tickets per day, SLA by priority, deflection, resolutions per agent) are sums over
these few hundred rows, so the large tables are read once each, not once per figure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, timedelta

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from core.lifecycle import Status
from core.reports.figures import DayVolume, Deflection, SlaLine, Tally, Volume
from core.reports.metrics import OPEN, STATUS_CHANGE, WORKLOAD_ROLES, within
from core.reports.period import Period, ReportFilter
from core.reports.sql import filtered
from core.storage.models import AuditRow, PersonRow, TicketRow

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
    """Status changes on one day."""

    day: str
    resolved: int
    closed: int
    reopened: int
    cancelled: int


def intakes_of(tallies: Iterable[Tally]) -> list[Intake]:
    return [Intake(t.day, t.priority, *(int(v) for v in t.values[:6])) for t in tallies if t.figure == "opened"]


def workers(session: Session, filters: ReportFilter) -> set[int]:
    """The people whose resolutions the report tells apart: agents, anyone with open tickets assigned, and
    the agent filtered on. (Requesters who solve their own tickets would make a group each.)"""
    return {*session.scalars(union(
        select(PersonRow.id).where(PersonRow.role.in_(WORKLOAD_ROLES)),
        select(TicketRow.assignee_id).where(TicketRow.status.in_(OPEN), TicketRow.assignee_id.is_not(None)))),
        *([filters.agent_id] if filters.agent_id is not None else [])}


def movements_of(tallies: Iterable[Tally]) -> list[Movement]:
    return [Movement(t.day, *(int(v) for v in t.values[:4])) for t in tallies if t.figure == "moved"]


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


def resolutions_by(session: Session, tallies: Iterable[Tally], *, workers: set[int], period: Period,
                   filters: ReportFilter) -> dict[int, int]:
    """Resolutions in the period per person the workload names: of others' tickets from the tallies, of
    their own tickets looked up here (by requester, so only those few people's tickets are read)."""
    found: Counter[int] = Counter()
    for t in tallies:
        if t.figure == "resolved_by" and int(t.key) in workers:
            found[int(t.key)] += int(t.values[0])
    if workers:
        found.update(dict(session.execute(filtered(
            select(AuditRow.actor_id, func.count()).join(TicketRow, TicketRow.id == AuditRow.ticket_id).where(
                TicketRow.requester_id.in_(workers), AuditRow.actor_id == TicketRow.requester_id, STATUS_CHANGE,
                AuditRow.new == Status.RESOLVED.value, within(AuditRow.at, period)).group_by(AuditRow.actor_id),
            filters)).all()))
    return dict(found)
