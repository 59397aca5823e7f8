"""How far the desk has read each place an adapter can page through again, and which ticket threads are
still worth reading after a gap.

A message that carries a `ReadMark` moves its place's mark forward in the same unit of work that takes
the message, so a mark never runs ahead of what was committed. Marks only move forward: messages handled
out of order leave the newest. Positions are the platform's own order of messages as whole numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Insert, select
from sqlalchemy.orm import Session

from core.lifecycle import Status, format_key
from core.messages import ReadMark
from core.storage.boundary_models import ReadMarkRow
from core.storage.models import ThreadRow, TicketRow
from core.storage.writes import conflict_aware_insert

FINISHED = (Status.CLOSED.value, Status.CANCELLED.value)


@dataclass(frozen=True)
class TicketThread:
    """A thread of a ticket that can still change it (a resolved ticket is reopened by its requester)."""

    ticket_key: str
    channel: str
    thread: str
    audience: str


def advance_mark(session: Session, *, platform: str, mark: ReadMark) -> None:
    """Move the mark of `mark.place` forward to `mark.position` (never back)."""
    statement = _advance_statement(session.get_bind().dialect.name)
    session.connection().execute(statement, {"platform": platform, "place": mark.place,
                                              "position": mark.position})


def set_first_mark(session: Session, *, platform: str, mark: ReadMark) -> None:
    """Set a place's first mark (where reading starts); a place already marked keeps its own."""
    statement = _first_mark_statement(session.get_bind().dialect.name)
    session.connection().execute(statement, {"platform": platform, "place": mark.place,
                                              "position": mark.position})


def marks_on(session: Session, platform: str) -> dict[str, int]:
    """Every marked place of `platform` and its position."""
    rows = session.execute(select(ReadMarkRow.place, ReadMarkRow.position)
                           .where(ReadMarkRow.platform == platform))
    return {place: position for place, position in rows}


def live_ticket_threads(session: Session, platform: str) -> list[TicketThread]:
    """The threads on `platform` of every ticket that is neither closed nor cancelled."""
    rows = session.execute(
        select(TicketRow.kind, TicketRow.id, ThreadRow.channel, ThreadRow.thread, ThreadRow.audience)
        .join(ThreadRow, ThreadRow.ticket_id == TicketRow.id)
        .where(ThreadRow.platform == platform, TicketRow.status.not_in(FINISHED))
        .order_by(ThreadRow.id))
    return [TicketThread(ticket_key=format_key(kind, ticket_id), channel=channel, thread=thread,
                         audience=audience)
            for kind, ticket_id, channel, thread, audience in rows]


@cache
def _advance_statement(dialect: str) -> Insert:
    insert = conflict_aware_insert(dialect)(ReadMarkRow.__table__)
    return insert.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=["platform", "place"], set_={"position": insert.excluded.position},
        where=ReadMarkRow.__table__.c.position < insert.excluded.position)


@cache
def _first_mark_statement(dialect: str) -> Insert:
    insert = conflict_aware_insert(dialect)(ReadMarkRow.__table__)
    return insert.on_conflict_do_nothing(index_elements=["platform", "place"])  # type: ignore[no-any-return]

