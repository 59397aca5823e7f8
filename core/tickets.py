"""Finding tickets."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, case, select
from sqlalchemy.orm import Session

from core.errors import UnknownTicket
from core.lifecycle import OPEN_STATUSES, Status, parse_key
from core.storage.models import ThreadRow, TicketRow

PRIORITY_ORDER = case({"P1": 1, "P2": 2, "P3": 3, "P4": 4}, value=TicketRow.priority, else_=5)
# What is due first: the first response while none was given, else the resolution (nothing while on hold).
DUE = case((TicketRow.first_response_at.is_(None) & TicketRow.first_response_due.is_not(None),
            TicketRow.first_response_due), else_=TicketRow.resolution_due)
# Built once: every reply in a thread asks the first, every edit of a message the second.
THREAD_AT = select(ThreadRow).where(ThreadRow.platform == bindparam("platform"),
                                    ThreadRow.channel == bindparam("channel"), ThreadRow.thread == bindparam("thread"))
OPENED_BY_MESSAGE = select(TicketRow).where(
    TicketRow.origin_platform == bindparam("platform"), TicketRow.origin_channel == bindparam("channel"),
    TicketRow.origin_message == bindparam("message"))


def get_ticket(session: Session, key: str, *, for_update: bool = False) -> TicketRow:
    parsed = parse_key(key)
    if parsed is None:
        raise UnknownTicket(key)
    # The number is the identity: an old key still finds a ticket whose kind was corrected since.
    _kind, number = parsed
    ticket = session.get(TicketRow, number, with_for_update=for_update or None)
    if ticket is None:
        raise UnknownTicket(key)
    return ticket


def ticket_for_thread(session: Session, *, platform: str, channel: str, thread: str) -> tuple[TicketRow, str] | None:
    row = session.scalar(THREAD_AT, {"platform": platform, "channel": channel, "thread": thread})
    if row is None:
        return None
    ticket = session.get(TicketRow, row.ticket_id)
    return (ticket, row.audience) if ticket else None


def ticket_opened_by(session: Session, *, platform: str, channel: str, message: str) -> TicketRow | None:
    """The ticket a chat message opened, if it opened one."""
    return session.scalar(OPENED_BY_MESSAGE, {"platform": platform, "channel": channel, "message": message})


def requester_thread(session: Session, ticket: TicketRow) -> ThreadRow | None:
    return session.scalar(
        select(ThreadRow)
        .where(ThreadRow.ticket_id == ticket.id, ThreadRow.audience == "requester")
        .order_by(ThreadRow.id)
    )


def open_tickets(
    session: Session, *, assignee_id: int | None = None, requester_id: int | None = None,
    unassigned: bool = False, limit: int = 25,
) -> Sequence[TicketRow]:
    query = select(TicketRow).where(TicketRow.status.in_([s.value for s in OPEN_STATUSES]))
    if assignee_id is not None:
        query = query.where(TicketRow.assignee_id == assignee_id)
    if requester_id is not None:
        query = query.where(TicketRow.requester_id == requester_id)
    if unassigned:
        query = query.where(TicketRow.assignee_id.is_(None))
    query = query.order_by(DUE.is_(None), DUE, PRIORITY_ORDER, TicketRow.created_at)
    return session.scalars(query.limit(limit)).all()


def list_tickets(session: Session, *, status: Status | None = None, limit: int = 500) -> Sequence[TicketRow]:
    query = select(TicketRow).order_by(TicketRow.id.desc()).limit(limit)
    if status is not None:
        query = query.where(TicketRow.status == status.value)
    return session.scalars(query).all()
