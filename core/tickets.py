"""Finding tickets."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, case, func, select
from sqlalchemy.orm import Session, aliased, joinedload

from core.errors import UnknownTicket
from core.lifecycle import OPEN_STATUSES, Status, format_key, parse_key
from core.log_context import about_ticket
from core.storage.models import PersonRow, ThreadRow, TicketRow

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
    about_ticket(ticket.key)
    return ticket


def ticket_for_thread(session: Session, *, platform: str, channel: str, thread: str) -> tuple[TicketRow, str] | None:
    """The ticket a thread belongs to, locked (a reply there changes it, as a command on it would), and whose
    thread it is."""
    row = session.scalar(THREAD_AT, {"platform": platform, "channel": channel, "thread": thread})
    if row is None:
        return None
    ticket = session.get(TicketRow, row.ticket_id, with_for_update=True)
    if ticket is None:
        return None
    about_ticket(ticket.key)
    return ticket, row.audience


def ticket_opened_by(session: Session, *, platform: str, channel: str, message: str) -> TicketRow | None:
    """The ticket a chat message opened, if it opened one."""
    return session.scalar(OPENED_BY_MESSAGE, {"platform": platform, "channel": channel, "message": message})


def requester_thread(session: Session, ticket: TicketRow) -> ThreadRow | None:
    return session.scalar(
        select(ThreadRow)
        .where(ThreadRow.ticket_id == ticket.id, ThreadRow.audience == "requester")
        .order_by(ThreadRow.id)
    )


@dataclass(frozen=True)
class Page:
    """One page of a longer list: the rows shown, how many there are in all, and which page this is."""

    rows: Sequence[TicketRow]
    total: int
    number: int
    size: int

    @property
    def remaining(self) -> int:
        return max(0, self.total - (self.number - 1) * self.size - len(self.rows))

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def open_tickets_page(
    session: Session, *, assignee_id: int | None = None, requester_id: int | None = None,
    unassigned: bool = False, page: int = 1, size: int = 25,
) -> Page:
    """Open tickets, what is due first first: page `page` (from 1) of `size`, with the count of all."""
    query = select(TicketRow).where(TicketRow.status.in_([s.value for s in OPEN_STATUSES]))
    if assignee_id is not None:
        query = query.where(TicketRow.assignee_id == assignee_id)
    if requester_id is not None:
        query = query.where(TicketRow.requester_id == requester_id)
    if unassigned:
        query = query.where(TicketRow.assignee_id.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.order_by(DUE.is_(None), DUE, PRIORITY_ORDER, TicketRow.created_at, TicketRow.id)
    # The people a page names come with it (one query, not one per row and person).
    query = query.options(joinedload(TicketRow.requester), joinedload(TicketRow.assignee))
    rows = session.scalars(query.offset((page - 1) * size).limit(size)).all()
    return Page(rows=rows, total=total, number=page, size=size)


@dataclass(frozen=True)
class TicketQuery:
    """Which tickets `spoc tickets list` shows. Empty fields match every ticket; `unassigned` wants none."""

    status: Status | None = None
    kind: str = ""
    assignee_id: int | None = None
    unassigned: bool = False
    requester_id: int | None = None
    since: datetime | None = None

    def select(self) -> Select[tuple[TicketRow]]:
        query = select(TicketRow)
        if self.status is not None:
            query = query.where(TicketRow.status == self.status.value)
        if self.kind:
            query = query.where(TicketRow.kind == self.kind)
        if self.assignee_id is not None:
            query = query.where(TicketRow.assignee_id == self.assignee_id)
        if self.unassigned:
            query = query.where(TicketRow.assignee_id.is_(None))
        if self.requester_id is not None:
            query = query.where(TicketRow.requester_id == self.requester_id)
        if self.since is not None:
            query = query.where(TicketRow.created_at >= self.since)
        return query


@dataclass(frozen=True)
class TicketLine:
    """One ticket of a listing, with how many tickets the listing's filters match in all."""

    key: str
    kind: str
    status: str
    priority: str
    title: str
    category: str
    requester: str
    assignee: str | None
    created_at: datetime
    updated_at: datetime
    total: int


def ticket_lines(session: Session, which: TicketQuery = TicketQuery(), *, limit: int | None = 500
                 ) -> Iterator[TicketLine]:
    """Tickets, newest first, with their people's names and the total count, in one query read in
    batches (so that every one of a large desk can be streamed)."""
    requester, assignee = aliased(PersonRow), aliased(PersonRow)
    query = which.select().with_only_columns(
        TicketRow.id, TicketRow.kind, TicketRow.status, TicketRow.priority, TicketRow.title, TicketRow.category,
        requester.display_name, assignee.display_name, TicketRow.created_at, TicketRow.updated_at,
        func.count().over(),
    ).join(requester, requester.id == TicketRow.requester_id) \
        .outerjoin(assignee, assignee.id == TicketRow.assignee_id) \
        .order_by(TicketRow.id.desc()).execution_options(yield_per=500)
    if limit is not None:
        query = query.limit(limit)
    for row in session.execute(query):
        (ticket_id, kind, status, priority, title, category, requester_name, assignee_name, created_at,
         updated_at, total) = row
        yield TicketLine(format_key(kind, ticket_id), kind, status, priority, title, category, requester_name,
                         assignee_name, created_at, updated_at, total)
