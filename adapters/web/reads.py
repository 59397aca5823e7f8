"""What the pages show, read from the database in one short reading transaction each (never a write lock).
Values come out as plain data, so that templates never touch the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.catalog.reading import OrderView, order_view
from core.config.catalog import CatalogSettings
from core.errors import UnknownTicket
from core.lifecycle import Status
from core.storage.models import CommentRow, IdentityRow, PersonRow, TicketRow
from core.tickets import get_ticket

PAGE_SIZE = 25


@dataclass(frozen=True)
class Viewer:
    """The person a signed-in visitor is; `person_id` is None for an account the desk has not met yet."""

    person_id: int | None
    name: str
    role: str = "requester"

    @property
    def agent(self) -> bool:
        return self.role in ("agent", "admin")


def viewer(session: Session, *, platform: str, workspace: str, user_id: str, name: str) -> Viewer:
    found = session.execute(select(PersonRow).join(IdentityRow, IdentityRow.person_id == PersonRow.id).where(
        IdentityRow.platform == platform, IdentityRow.workspace == workspace, IdentityRow.user_id == user_id)).first()
    if found is None:
        return Viewer(person_id=None, name=name)
    person = found[0]
    return Viewer(person_id=person.id, name=person.display_name, role=person.role)


@dataclass(frozen=True)
class TicketLine:
    key: str
    title: str
    status: str
    priority: str
    updated_at: datetime
    requester: str
    assignee: str


@dataclass(frozen=True)
class Comment:
    author: str
    body: str
    at: datetime
    internal: bool


@dataclass(frozen=True)
class TicketPage:
    key: str
    title: str
    description: str
    status: str
    kind: str
    priority: str
    category: str
    requester: str
    assignee: str
    created_at: datetime
    updated_at: datetime
    resolution: str
    hold_reason: str
    mine: bool
    comments: list[Comment] = field(default_factory=list)
    order: OrderView | None = None

    @property
    def resolved(self) -> bool:
        return self.status == Status.RESOLVED.value

    @property
    def open(self) -> bool:
        return Status(self.status).is_open


def _line(ticket: TicketRow) -> TicketLine:
    return TicketLine(key=ticket.key, title=ticket.title, status=Status(ticket.status).label,
                      priority=ticket.priority, updated_at=ticket.updated_at,
                      requester=ticket.requester.display_name,
                      assignee=ticket.assignee.display_name if ticket.assignee else "")


def tickets_of(session: Session, who: Viewer, *, page: int, assigned: bool = False) -> tuple[list[TicketLine], int]:
    """A page of the tickets the viewer reported (or, for an agent, that are assigned to them), newest
    change first; and how many there are in all."""
    if who.person_id is None:
        return [], 0
    column = TicketRow.assignee_id if assigned else TicketRow.requester_id
    query = select(TicketRow).where(column == who.person_id)
    if assigned:
        query = query.where(TicketRow.status.in_([s.value for s in Status if s.is_open]))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(TicketRow.updated_at.desc(), TicketRow.id.desc())
                           .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return [_line(t) for t in rows], total


def ticket_page(session: Session, who: Viewer, key: str, *, catalog: CatalogSettings) -> TicketPage | None:
    """A ticket as the viewer may see it: its requester sees public comments, an agent every one. None when
    there is no such ticket or it is not theirs to see (the same answer, so keys cannot be probed)."""
    try:
        ticket = get_ticket(session, key)
    except UnknownTicket:
        return None
    mine = who.person_id is not None and ticket.requester_id == who.person_id
    if not mine and not who.agent:
        return None
    comments = session.scalars(select(CommentRow).where(CommentRow.ticket_id == ticket.id).order_by(CommentRow.id))
    return TicketPage(
        key=ticket.key, title=ticket.title, description=ticket.description, status=ticket.status,
        kind=ticket.kind, priority=ticket.priority, category=ticket.category,
        requester=ticket.requester.display_name, assignee=ticket.assignee.display_name if ticket.assignee else "",
        created_at=ticket.created_at, updated_at=ticket.updated_at, resolution=ticket.resolution,
        hold_reason=ticket.hold_reason, mine=mine, order=order_view(session, catalog, ticket),
        comments=[Comment(author=c.author.display_name if c.author else "spoc", body=c.body, at=c.created_at,
                          internal=c.internal) for c in comments if who.agent or not c.internal])

