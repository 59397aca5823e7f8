"""The report's query functions: each one aggregate query (GROUP BY, COUNT, AVG, CASE) over a Session.

Every function counts only the tickets `filters` names, over the period [since, until). The definitions
are in README.md ("Reports"); the comments here say only what the SQL cannot.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, union
from sqlalchemy.orm import Session

from core.lifecycle import Status
from core.reports.figures import (
    AgeBucket,
    AgentLoad,
    ArticleUse,
    Backlog,
    FirstContact,
    Satisfaction,
    Tally,
)
from core.reports.period import Period, ReportFilter
from core.reports.sql import filtered
from core.storage.models import AuditRow, PersonRow, TicketRow

OPEN = (Status.NEW.value, Status.IN_PROGRESS.value, Status.ON_HOLD.value)
STATUS_CHANGE = AuditRow.action == "status"
REOPENING = and_(AuditRow.old.in_((Status.RESOLVED.value, Status.CLOSED.value)),
                 AuditRow.new.in_((Status.NEW.value, Status.IN_PROGRESS.value)))
HANDOFFS = ("unassign", "escalate", "deescalate")
WORKLOAD_ROLES = ("agent", "admin")
AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("under 1 day", timedelta(days=1)),
    ("1-3 days", timedelta(days=3)),
    ("3-7 days", timedelta(days=7)),
    ("7-30 days", timedelta(days=30)),
    ("over 30 days", None),
)


def within(column: Any, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.since, column < period.until)


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def backlog(session: Session, *, at: datetime, now: datetime, filters: ReportFilter) -> Backlog:
    """Tickets open (new, in progress, on hold) at `at`, by status and by age since they were reported."""
    candidates = select(TicketRow.status.label("status"), TicketRow.created_at.label("created_at"))
    if at < now:  # the status each ticket had then: its last status change before `at`
        status = func.coalesce(
            select(AuditRow.new).where(AuditRow.ticket_id == TicketRow.id, STATUS_CHANGE, AuditRow.at < at)
            .order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(1).scalar_subquery(),
            literal(Status.NEW.value))
        # Every status change is in the trail, so a ticket that is not open now and whose status has not
        # changed since `at` had its present status then: only the others need looking up.
        open_or_changed = union(select(TicketRow.id).where(TicketRow.status.in_(OPEN)),
                                select(AuditRow.ticket_id).where(STATUS_CHANGE, AuditRow.at >= at))
        candidates = select(status.label("status"), TicketRow.created_at.label("created_at")).where(
            TicketRow.id.in_(open_or_changed))
    tickets = filtered(candidates.where(TicketRow.created_at < at), filters).subquery()
    buckets: list[ColumnElement[int]] = []
    younger_than: datetime | None = None
    for _label, edge in AGE_BUCKETS:
        older = tickets.c.created_at <= younger_than if younger_than is not None else None
        younger_than = at - edge if edge is not None else None
        younger = tickets.c.created_at > younger_than if younger_than is not None else None
        parts = [c for c in (older, younger) if c is not None]
        buckets.append(count_if(and_(*parts)))
    row = session.execute(select(
        func.count(), func.min(tickets.c.created_at), *buckets,
        *(count_if(tickets.c.status == s) for s in OPEN),
    ).where(tickets.c.status.in_(OPEN))).one()
    oldest = row[1]
    return Backlog(
        at=at, total=row[0],
        by_age=tuple(AgeBucket(label, n) for (label, _), n in zip(AGE_BUCKETS, row[2:7], strict=True)),
        by_status=dict(zip(OPEN, row[7:], strict=True)),
        oldest_seconds=(at - oldest).total_seconds() if oldest is not None else None,
    )


def first_contact_of(tallies: Iterable[Tally]) -> FirstContact:
    """Of the tickets IT resolved in the period: those resolved by the first agent who took them (at most
    one assignment, none undone, resolved by the assignee), never escalated or handed back, never reopened."""
    found = [t.values for t in tallies if t.figure == "first_contact"]
    return FirstContact(resolved=int(sum(v[0] for v in found)), first_contact=int(sum(v[1] for v in found)))


def knowledge_of(tallies: Iterable[Tally], *, limit: int = 50) -> list[ArticleUse]:
    """Per article, over the tickets reported in the period: suggested, "this solved it", "not helpful"; the
    most suggested first."""
    found = sorted((t for t in tallies if t.figure == "suggested"), key=lambda t: (-t.values[0], t.key))
    return [ArticleUse(t.key, t.title, int(t.values[0]), int(t.values[1]), int(t.values[2])) for t in found[:limit]]


def satisfaction_of(tallies: Iterable[Tally]) -> Satisfaction:
    """Over the tickets closed in the period: how many were rated, the mean score, and how many 4 or 5."""
    sums = [0.0] * 9
    for t in tallies:
        if t.figure == "closed":
            sums = [a + b for a, b in zip(sums, t.values, strict=True)]
    closed, rated, scores, satisfied, *by_score = (int(v) for v in sums)
    return Satisfaction(closed=closed, rated=rated, average=round(scores / rated, 2) if rated else None,
                        satisfied=satisfied, by_score=tuple(by_score))  # type: ignore[arg-type]


def workload(session: Session, *, filters: ReportFilter, resolved_by: dict[int, int]) -> list[AgentLoad]:
    """Per agent (and anyone with open tickets assigned): open tickets assigned to them now, and
    `resolved_by` (their resolutions in the period). Requesters who solved their own are not agents."""
    open_by = dict(session.execute(filtered(
        select(TicketRow.assignee_id, func.count())
        .where(TicketRow.status.in_(OPEN), TicketRow.assignee_id.is_not(None))
        .group_by(TicketRow.assignee_id), filters)).all())
    people = select(PersonRow.id, PersonRow.display_name).where(or_(
        PersonRow.role.in_(WORKLOAD_ROLES), PersonRow.id.in_(list(open_by) or [-1])))
    if filters.agent_id is not None:
        people = people.where(PersonRow.id == filters.agent_id)
    loads = [AgentLoad(name, open_by.get(pid, 0), resolved_by.get(pid, 0)) for pid, name in session.execute(people)]
    return sorted(loads, key=lambda load: (-load.open_assigned, -load.resolved, load.name))


def _float(value: object) -> float | None:
    return float(value) if value is not None else None  # type: ignore[arg-type]


