"""Verbs that work one ticket."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from core import actions
from core.cards import Reply
from core.context import Ctx
from core.desk.access import agent_ticket, owned_ticket
from core.desk.grammar import Args
from core.desk.registry import verb
from core.due import ticket_time_zone
from core.errors import UsageError
from core.lifecycle import Kind
from core.people import is_agent
from core.storage.models import AuditRow, CommentRow
from core.views import detail_card

_UNTIL = re.compile(r"until\s+(\d{4}-\d{2}-\d{2})(?:\s+|$)(.*)", re.IGNORECASE | re.DOTALL)


@verb("claim", usage="claim KEY", examples=("claim INC-42",))
def claim(ctx: Ctx, args: Args) -> Reply:
    """Take a ticket: you become its assignee and the requester is told you are on it."""
    return Reply(actions.claim(ctx, agent_ticket(ctx, args)))


@verb("assign", usage="assign KEY PERSON", examples=("assign INC-42 sam", "assign INC-42 @sam"))
def assign(ctx: Ctx, args: Args) -> Reply:
    """Give a ticket to an agent, by name, e-mail or @mention."""
    ticket = agent_ticket(ctx, args)
    return Reply(actions.assign(ctx, ticket, args.rest("person", required=True)))


@verb("unassign", usage="unassign KEY", examples=("unassign INC-42",))
def unassign(ctx: Ctx, args: Args) -> Reply:
    """Put a ticket back in the unclaimed queue."""
    return Reply(actions.unassign(ctx, agent_ticket(ctx, args)))


@verb("show", usage="show KEY", examples=("show INC-42",), who="owner")
def show(ctx: Ctx, args: Args) -> Reply:
    """Show a ticket with its comments (and, for agents, internal notes and audit trail)."""
    ticket = owned_ticket(ctx, args, "show")
    agent = is_agent(ctx.person())
    comments = ctx.session.scalars(select(CommentRow).where(CommentRow.ticket_id == ticket.id)
                                   .order_by(CommentRow.id)).all()
    audit = ctx.session.scalars(select(AuditRow).where(AuditRow.ticket_id == ticket.id).order_by(AuditRow.id)).all()
    return Reply(card=detail_card(ticket, comments=comments, audit=audit, for_agent=agent, now=ctx.now,
                                  time_zone=ticket_time_zone(ctx.settings, ticket, around=ctx.now)))


@verb("comment", usage="comment KEY TEXT", examples=("comment INC-42 Please restart and try again",),
      who="owner")
def comment(ctx: Ctx, args: Args) -> Reply:
    """Add a public comment; the other side (requester or IT) is told."""
    ticket = owned_ticket(ctx, args, "comment")
    return Reply(actions.comment(ctx, ticket, args.rest("comment", required=True)))


@verb("note", usage="note KEY TEXT", examples=("note INC-42 vendor case 8812",))
def note(ctx: Ctx, args: Args) -> Reply:
    """Add an internal note: agents see it, the requester never does."""
    ticket = agent_ticket(ctx, args)
    return Reply(actions.comment(ctx, ticket, args.rest("note", required=True), internal=True))


@verb("priority", usage="priority KEY IMPACT URGENCY", examples=("priority INC-42 1 2",))
def priority(ctx: Ctx, args: Args) -> Reply:
    """Set impact and urgency (1 high, 2 medium, 3 low); the priority follows from the matrix. Triage learns from it."""
    ticket = agent_ticket(ctx, args)
    impact = args.number("impact", low=1, high=3)
    urgency = args.number("urgency", low=1, high=3)
    args.done()
    return Reply(actions.set_priority(ctx, ticket, impact=impact, urgency=urgency))


@verb("kind", usage="kind KEY incident|request", examples=("kind INC-42 request",))
def kind(ctx: Ctx, args: Args) -> Reply:
    """Correct whether a ticket is an incident or a service request (its key follows); triage learns from it."""
    ticket = agent_ticket(ctx, args)
    value = args.word("kind").lower()
    if value not in (Kind.INCIDENT, Kind.REQUEST):
        raise UsageError(f"Kind is incident or request, not {value!r}.")
    return Reply(actions.set_kind(ctx, ticket, Kind(value)))


@verb("category", usage="category KEY NAME", examples=("category INC-42 network",))
def category(ctx: Ctx, args: Args) -> Reply:
    """File a ticket under another category; triage learns from it."""
    ticket = agent_ticket(ctx, args)
    return Reply(actions.set_category(ctx, ticket, args.word("category").lower()))


@verb("hold", usage="hold KEY [until YYYY-MM-DD] REASON",
      examples=("hold INC-42 waiting for the vendor", "hold INC-42 until 2026-03-09 vendor ships the part"))
def hold(ctx: Ctx, args: Args) -> Reply:
    """Put a ticket on hold (the SLA clock pauses); the requester is told why.
    With `until DATE` you are reminded on that date if it is still on hold."""
    ticket = agent_ticket(ctx, args)
    text = args.rest("reason", required=True)
    found = _UNTIL.match(text)
    if found is None:
        return Reply(actions.hold(ctx, ticket, text))
    try:
        until = date.fromisoformat(found.group(1))
    except ValueError:
        raise UsageError(f"{found.group(1)!r} is not a date: write it as YYYY-MM-DD, "
                         "e.g. until 2026-03-09.") from None
    return Reply(actions.hold(ctx, ticket, found.group(2).strip(), until=until))


@verb("resume", usage="resume KEY", examples=("resume INC-42",))
def resume(ctx: Ctx, args: Args) -> Reply:
    """Take a ticket off hold."""
    return Reply(actions.resume(ctx, agent_ticket(ctx, args)))


@verb("resolve", usage="resolve KEY [RESOLUTION]", examples=("resolve INC-42 replaced the power supply",))
def resolve(ctx: Ctx, args: Args) -> Reply:
    """Mark a ticket resolved; the requester is asked "Is it fixed?". An unclaimed ticket becomes yours."""
    ticket = agent_ticket(ctx, args)
    return Reply(actions.resolve_by_hand(ctx, ticket, args.rest()))


@verb("reopen", usage="reopen KEY [REASON]", examples=("reopen INC-42 it broke again",), who="owner")
def reopen(ctx: Ctx, args: Args) -> Reply:
    """Open a resolved ticket again."""
    ticket = owned_ticket(ctx, args, "reopen")
    return Reply(actions.reopen(ctx, ticket, args.rest()))


@verb("close", usage="close KEY", examples=("close INC-42",), who="owner")
def close(ctx: Ctx, args: Args) -> Reply:
    """Close a resolved ticket."""
    return Reply(actions.close(ctx, owned_ticket(ctx, args, "close")))


@verb("cancel", usage="cancel KEY [REASON]", examples=("cancel REQ-43 no longer needed",), who="owner")
def cancel(ctx: Ctx, args: Args) -> Reply:
    """Withdraw an open ticket that is no longer needed."""
    ticket = owned_ticket(ctx, args, "cancel")
    return Reply(actions.cancel(ctx, ticket, args.rest()))


@verb("confirm", usage="confirm KEY", examples=("confirm INC-42",), who="owner")
def confirm(ctx: Ctx, args: Args) -> Reply:
    """Confirm a resolved ticket is fixed; it closes (the twin of "Yes, it's fixed")."""
    return Reply(actions.confirm(ctx, owned_ticket(ctx, args, "confirm")))


@verb("reject", usage="reject KEY REASON", examples=("reject INC-42 still no sound",), who="owner")
def reject(ctx: Ctx, args: Args) -> Reply:
    """Say a resolved ticket is not fixed; it reopens and IT is told (the twin of "No, still broken")."""
    ticket = owned_ticket(ctx, args, "reject")
    return Reply(actions.reject(ctx, ticket, args.rest()))
