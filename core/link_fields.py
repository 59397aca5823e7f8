"""What a ticket's card says about its links: the outage or problem behind an incident, the incidents and
workaround of a problem."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cards import Field
from core.lifecycle import Kind
from core.storage.itsm_models import OutageRow, OutageTicketRow, ProblemLinkRow
from core.storage.models import AuditRow, TicketRow

SHOWN = 20


def link_fields(session: Session, ticket: TicketRow) -> tuple[Field, ...]:
    if ticket.kind == Kind.INCIDENT.value:
        return _incident_fields(session, ticket)
    if ticket.kind == Kind.PROBLEM.value:
        return _problem_fields(session, ticket)
    return ()


def _incident_fields(session: Session, ticket: TicketRow) -> tuple[Field, ...]:
    fields: list[Field] = []
    outage_link = session.get(OutageTicketRow, ticket.id)
    outage = session.get(OutageRow, outage_link.outage_id) if outage_link else None
    if outage is not None:
        fields.append(Field("Known issue", f"{outage.key}: {outage.summary} ({outage.status})"))
    problem_link = session.get(ProblemLinkRow, ticket.id)
    problem = session.get(TicketRow, problem_link.problem_id) if problem_link else None
    if problem is not None:
        fields.append(Field("Problem", f"{problem.key}: {problem.title}"))
    return tuple(fields)


def _problem_fields(session: Session, ticket: TicketRow) -> tuple[Field, ...]:
    ids = session.scalars(select(ProblemLinkRow.incident_id).where(ProblemLinkRow.problem_id == ticket.id)
                          .order_by(ProblemLinkRow.incident_id)).all()
    keys = [k for k in (session.get(TicketRow, i) for i in ids[:SHOWN]) if k is not None]
    fields: list[Field] = []
    if ids:
        more = f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else ""
        fields.append(Field("Incidents", ", ".join(t.key for t in keys) + more))
    workaround = session.scalar(select(AuditRow.new).where(AuditRow.ticket_id == ticket.id,
                                                           AuditRow.action == "workaround")
                                .order_by(AuditRow.id.desc()).limit(1))
    if workaround:
        fields.append(Field("Workaround", workaround))
    return tuple(fields)
