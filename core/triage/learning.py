"""What agents teach the triage model: each correction of a ticket's kind, category or priority, and each
ticket an agent worked and closed without correcting. Written in the transaction of the change itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.lifecycle import Kind
from core.storage.models import TicketRow
from core.triage import store

CORRECTABLE = ("kind", "category", "priority")
TRIAGED_KINDS = frozenset({Kind.INCIDENT.value, Kind.REQUEST.value})


def learn_correction(session: Session, ticket: TicketRow, field: str, *, now: datetime) -> None:
    """An agent corrected `field` (kind, category or priority): the ticket as it is now is the answer."""
    if field not in CORRECTABLE:
        raise ValueError(f"not a triage decision: {field!r}")
    _remember(session, ticket, now=now, field=field)


def learn_closed(session: Session, ticket: TicketRow, *, now: datetime) -> None:
    """A ticket closed after an agent worked it confirms what it was filed as (or what it was corrected to).
    One nobody from IT took (solved by an article, say) teaches nothing: nobody checked it."""
    if ticket.assignee_id is not None:
        _remember(session, ticket, now=now, field="")


def _remember(session: Session, ticket: TicketRow, *, now: datetime, field: str) -> None:
    if ticket.kind not in TRIAGED_KINDS or not ticket.description.strip():
        return
    before = store.corrected_so_far(session, ticket.id)
    fields = {name for name in (before or "").split(",") if name} | ({field} if field else set())
    store.record(session, ticket_id=ticket.id, text=ticket.description, source="ticket", at=now,
                 labels=store.Labels(kind=ticket.kind, category=ticket.category, impact=ticket.impact,
                                     urgency=ticket.urgency),
                 corrected=",".join(sorted(fields)))
