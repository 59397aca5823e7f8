"""Short references to tickets: for pickers that complete a key as it is typed, and for adapters that must
find where a ticket's requester talks (its thread) from nothing but the key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UnknownTicket
from core.lifecycle import OPEN_STATUSES
from core.messages import Author
from core.people import RANK, account_of, is_agent
from core.storage.models import TicketRow
from core.tickets import get_ticket, requester_thread, ticket_for_thread

CANDIDATES = 500


@dataclass(frozen=True)
class TicketRef:
    """A ticket's key, title and status, and where its requester's conversation lives (`thread` may be
    empty)."""

    key: str
    title: str
    platform: str
    channel: str
    thread: str
    status: str = ""


def ref_of(session: Session, ticket: TicketRow) -> TicketRef:
    channel, thread = ticket.origin_channel, ticket.origin_message
    if not thread:
        found = requester_thread(session, ticket)
        if found is not None:
            channel, thread = found.channel, found.thread
    return TicketRef(key=ticket.key, title=ticket.title, platform=ticket.origin_platform, channel=channel,
                     thread=thread, status=ticket.status)


def ticket_ref(session: Session, key: str) -> TicketRef | None:
    try:
        return ref_of(session, get_ticket(session, key))
    except UnknownTicket:
        return None


def thread_ref(session: Session, *, platform: str, channel: str, thread: str) -> TicketRef | None:
    """The ticket whose requester's conversation is this thread, if any."""
    found = ticket_for_thread(session, platform=platform, channel=channel, thread=thread)
    return ref_of(session, found[0]) if found is not None and found[1] == "requester" else None


def suggest_refs(session: Session, *, author: Author, text: str, limit: int = 25) -> list[TicketRef]:
    """Open tickets whose key or title matches `text`, newest first. Agents see every open ticket,
    anyone else only their own: a picker must not show other people's ticket titles."""
    identity = account_of(session, platform=author.platform, workspace=author.workspace, user_id=author.user_id)
    if identity is None:
        agent = author.roles_known and author.is_agent
    else:  # the platform's word is newer than the stored role, which follows it at the account's next event
        left_group = author.roles_known and identity.agent and not author.is_agent
        by_config = RANK.get(identity.person.config_role, 0) >= RANK["agent"]
        agent = is_agent(identity.person) and (by_config or not left_group)
    if identity is None and not agent:
        return []
    query = select(TicketRow).where(TicketRow.status.in_([s.value for s in OPEN_STATUSES]))
    if not agent and identity is not None:
        query = query.where(TicketRow.requester_id == identity.person_id)
    needle = text.strip().lower().lstrip("#")
    found: list[TicketRef] = []
    for ticket in session.scalars(query.order_by(TicketRow.id.desc()).limit(CANDIDATES)):
        key = ticket.key.lower()
        if not needle or key.startswith(needle) or str(ticket.id).startswith(needle) \
                or needle in ticket.title.lower():
            found.append(ref_of(session, ticket))
            if len(found) >= limit:
                break
    return found
