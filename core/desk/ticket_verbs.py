"""Verbs that work one ticket."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core import actions
from core.cards import Reply
from core.catalog import fulfilment, orders
from core.commands.params import Choice, Day, Number, Text, Word
from core.context import Ctx
from core.desk.params import REASON, TICKET
from core.desk.permissions import REQUESTER_OR_AGENT
from core.desk.registry import verb
from core.due import ticket_time_zone
from core.lifecycle import Kind
from core.people import is_agent
from core.storage.models import AuditRow, CommentRow, TicketRow
from core.ticket_files import files_of
from core.views import detail_card


def _level(name: str) -> Number:
    return Number(name=name, low=1, high=3, ask=f"{name.capitalize()} (1 high, 2 medium, 3 low)")


@verb("claim", TICKET, examples=("claim INC-42",))
def claim(ctx: Ctx, *, ticket: TicketRow) -> Reply:
    """Take a ticket: you become its assignee and the requester is told you are on it."""
    return Reply(actions.claim(ctx, ticket))


@verb("assign", TICKET, Text(name="person", many_lines=False, ask="Assign to (name or @mention)"),
      examples=("assign INC-42 sam", "assign INC-42 @sam"))
def assign(ctx: Ctx, *, ticket: TicketRow, person: str) -> Reply:
    """Give a ticket to an agent, by name, e-mail or @mention."""
    return Reply(actions.assign(ctx, ticket, person))


@verb("unassign", TICKET, examples=("unassign INC-42",))
def unassign(ctx: Ctx, *, ticket: TicketRow) -> Reply:
    """Put a ticket back in the unclaimed queue."""
    return Reply(actions.unassign(ctx, ticket))


@verb("show", TICKET, allow=REQUESTER_OR_AGENT, examples=("show INC-42",))
def show(ctx: Ctx, *, ticket: TicketRow) -> Reply:
    """Show a ticket with its comments (and, for agents, internal notes and audit trail)."""
    agent = is_agent(ctx.person())
    comments = ctx.session.scalars(select(CommentRow).where(CommentRow.ticket_id == ticket.id)
                                   .order_by(CommentRow.id)).all()
    audit = ctx.session.scalars(select(AuditRow).where(AuditRow.ticket_id == ticket.id).order_by(AuditRow.id)).all()
    return Reply(card=detail_card(ticket, comments=comments, audit=audit, for_agent=agent, now=ctx.now,
                                  time_zone=ticket_time_zone(ctx.settings, ticket, around=ctx.now),
                                  files=files_of(ctx.session, ticket.id)))


@verb("comment", TICKET, Text(name="comment", shown="TEXT"), allow=REQUESTER_OR_AGENT,
      examples=("comment INC-42 Please restart and try again",))
def comment(ctx: Ctx, *, ticket: TicketRow, comment: str) -> Reply:
    """Add a public comment; the other side (requester or IT) is told."""
    return Reply(actions.comment(ctx, ticket, comment))


@verb("note", TICKET, Text(name="note", shown="TEXT"), examples=("note INC-42 vendor case 8812",))
def note(ctx: Ctx, *, ticket: TicketRow, note: str) -> Reply:
    """Add an internal note: agents see it, the requester never does."""
    return Reply(actions.comment(ctx, ticket, note, internal=True))


@verb("priority", TICKET, _level("impact"), _level("urgency"), exact=True, examples=("priority INC-42 1 2",))
def priority(ctx: Ctx, *, ticket: TicketRow, impact: int, urgency: int) -> Reply:
    """Set impact and urgency (1 high, 2 medium, 3 low); the priority follows from the matrix. Triage learns from it."""
    return Reply(actions.set_priority(ctx, ticket, impact=impact, urgency=urgency))


@verb("kind", TICKET, Choice(name="kind", options=(("incident", "Something is broken"),
                                                   ("request", "Something is wanted"))),
      examples=("kind INC-42 request",))
def kind(ctx: Ctx, *, ticket: TicketRow, kind: str) -> Reply:
    """Correct whether a ticket is an incident or a service request (its key follows); triage learns from it."""
    return Reply(actions.set_kind(ctx, ticket, Kind(kind)))


@verb("category", TICKET, Word(name="category", shown="NAME", lower=True,
                               options_from=lambda env: tuple((c, c) for c in env.settings.category_names())),
      examples=("category INC-42 network",))
def category(ctx: Ctx, *, ticket: TicketRow, category: str) -> Reply:
    """File a ticket under another category; triage learns from it."""
    return Reply(actions.set_category(ctx, ticket, category))


@verb("hold", TICKET, Day(name="until", marker="until", required=False, ask="Remind me on (YYYY-MM-DD)"),
      Text(name="reason", ask="Why on hold?"),
      examples=("hold INC-42 waiting for the vendor", "hold INC-42 until 2026-03-09 vendor ships the part"))
def hold(ctx: Ctx, *, ticket: TicketRow, until: date | None, reason: str) -> Reply:
    """Put a ticket on hold (the SLA clock pauses); the requester is told why.
    With `until DATE` you are reminded on that date if it is still on hold."""
    return Reply(actions.hold(ctx, ticket, reason, until=until))


@verb("resume", TICKET, examples=("resume INC-42",))
def resume(ctx: Ctx, *, ticket: TicketRow) -> Reply:
    """Take a ticket off hold."""
    return Reply(actions.resume(ctx, ticket))


@verb("resolve", TICKET, Text(name="resolution", required=False, ask="How was it resolved?"),
      examples=("resolve INC-42 replaced the power supply",))
def resolve(ctx: Ctx, *, ticket: TicketRow, resolution: str) -> Reply:
    """Mark a ticket resolved; the requester is asked "Is it fixed?". An unclaimed ticket becomes yours.
    A task of an order is done at once, and its order resolved with its last task."""
    if ticket.kind == Kind.TASK.value:
        return Reply(fulfilment.task_done(ctx, ticket, resolution))
    fulfilment.refuse_with_open_tasks(ctx, ticket)
    return Reply(actions.resolve_by_hand(ctx, ticket, resolution))


@verb("reopen", TICKET, REASON, allow=REQUESTER_OR_AGENT, examples=("reopen INC-42 it broke again",))
def reopen(ctx: Ctx, *, ticket: TicketRow, reason: str) -> Reply:
    """Open a resolved ticket again."""
    return Reply(actions.reopen(ctx, ticket, reason))


@verb("close", TICKET, allow=REQUESTER_OR_AGENT, examples=("close INC-42",))
def close(ctx: Ctx, *, ticket: TicketRow) -> Reply:
    """Close a resolved ticket."""
    return Reply(actions.close(ctx, ticket))


@verb("cancel", TICKET, REASON, allow=REQUESTER_OR_AGENT, examples=("cancel REQ-43 no longer needed",))
def cancel(ctx: Ctx, *, ticket: TicketRow, reason: str) -> Reply:
    """Withdraw an open ticket that is no longer needed (an order: its approvals and tasks too)."""
    text = actions.cancel(ctx, ticket, reason)
    after = fulfilment.task_cancelled(ctx, ticket) if ticket.kind == Kind.TASK.value else orders.withdrawn(ctx, ticket)
    return Reply(" ".join(filter(None, [text, after])))


@verb("confirm", TICKET, allow=REQUESTER_OR_AGENT, examples=("confirm INC-42",))
def confirm(ctx: Ctx, *, ticket: TicketRow) -> Reply:
    """Confirm a resolved ticket is fixed; it closes (the twin of "Yes, it's fixed")."""
    return Reply(actions.confirm(ctx, ticket))


@verb("reject", TICKET, Text(name="reason", required=False, ask="What is still wrong?"), allow=REQUESTER_OR_AGENT,
      examples=("reject INC-42 still no sound",))
def reject(ctx: Ctx, *, ticket: TicketRow, reason: str) -> Reply:
    """Say a resolved ticket is not fixed; it reopens and IT is told (the twin of "No, still broken")."""
    return Reply(actions.reject(ctx, ticket, reason))
