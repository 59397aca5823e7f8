"""What can happen to a ticket. Each action checks, changes, audits and notifies in one transaction."""

from __future__ import annotations

from datetime import date

from core.business_time.wording import local_date
from core.context import Ctx
from core.due import first_response_target, local_day_start, ticket_time_zone, update_due_dates
from core.errors import DeskError, NotAllowed
from core.lifecycle import Kind, Status, check_transition
from core.notify import audit, refresh_cards, tell_agents, tell_requester
from core.people import is_agent
from core.person_lookup import one_person
from core.priority import priority_for
from core.storage.models import CommentRow, PersonRow, TicketRow
from core.triage import learn_closed, learn_correction
from core.views import confirm_card, corrected_text, survey_card


def move(ctx: Ctx, ticket: TicketRow, target: Status) -> None:
    check_transition(key=ticket.key, current=ticket.state, target=target)
    audit(ctx, ticket, "status", field="status", old=ticket.status, new=target.value)
    ticket.status = target.value
    ticket.updated_at = ctx.now
    if target is Status.RESOLVED:
        ticket.resolved_at = ctx.now
    elif target is Status.CLOSED:
        ticket.closed_at = ctx.now
        learn_closed(ctx.session, ticket, now=ctx.now)
    elif target in (Status.NEW, Status.IN_PROGRESS) and ticket.resolved_at is not None:
        ticket.resolved_at = None
        ticket.self_service = False
    if target is not Status.ON_HOLD:
        ticket.hold_reason = ""
        ticket.hold_until = None
    update_due_dates(ctx, ticket)


def _first_response(ctx: Ctx, ticket: TicketRow) -> None:
    if ticket.first_response_at is None and ctx.actor is not None and is_agent(ctx.actor):
        ticket.first_response_at = ctx.now
        update_due_dates(ctx, ticket)


def _take(ctx: Ctx, ticket: TicketRow, agent: PersonRow) -> None:
    audit(ctx, ticket, "assign", field="assignee",
          old=ticket.assignee.display_name if ticket.assignee else "", new=agent.display_name)
    ticket.assignee = agent
    ticket.assignee_id = agent.id
    if ticket.state is Status.NEW:
        move(ctx, ticket, Status.IN_PROGRESS)
    _first_response(ctx, ticket)
    ticket.updated_at = ctx.now
    tell_requester(ctx, ticket, f"{agent.display_name} from IT is working on this.")
    refresh_cards(ctx, ticket)


def not_open(ticket: TicketRow) -> str:
    """Why a ticket cannot be worked, with the step that would make it workable (if there is one)."""
    if ticket.state is Status.RESOLVED:
        return f"{ticket.key} is resolved; `/desk reopen {ticket.key}` first."
    return f"{ticket.key} is {ticket.state.label}, which is final; `/desk new TEXT` opens a new ticket."


def claim(ctx: Ctx, ticket: TicketRow) -> str:
    me = ctx.person()
    if not ticket.state.is_open:
        raise DeskError(not_open(ticket))
    if ticket.assignee_id == me.id:
        return f"{ticket.key} is already yours."
    if ticket.assignee is not None:
        raise DeskError(f"{ticket.key} is already claimed by {ticket.assignee.display_name}. "
                        f"Ask them, or `/desk assign {ticket.key} NAME`.")
    _take(ctx, ticket, me)
    return f"You have {ticket.key}."


def assign(ctx: Ctx, ticket: TicketRow, who: str) -> str:
    agent = one_person(ctx.session, who, platform=ctx.platform, example=f"/desk assign {ticket.key} @sam")
    if not is_agent(agent):
        raise DeskError(f"{agent.display_name} is not an agent; tickets can only be assigned to agents.")
    if not ticket.state.is_open:
        raise DeskError(not_open(ticket))
    if ticket.assignee_id == agent.id:
        return f"{ticket.key} is already assigned to {agent.display_name}."
    _take(ctx, ticket, agent)
    return f"{ticket.key} assigned to {agent.display_name}."


def unassign(ctx: Ctx, ticket: TicketRow) -> str:
    if ticket.assignee is None:
        return f"{ticket.key} has no assignee."
    audit(ctx, ticket, "unassign", field="assignee", old=ticket.assignee.display_name, new="")
    ticket.assignee, ticket.assignee_id = None, None
    if ticket.state is Status.IN_PROGRESS:
        move(ctx, ticket, Status.NEW)
    ticket.updated_at = ctx.now
    refresh_cards(ctx, ticket)
    return f"{ticket.key} is back in the queue."


def comment(ctx: Ctx, ticket: TicketRow, body: str, *, internal: bool = False, echo: bool = True) -> str:
    """A public comment reaches the other side; `echo=False` when it was written where they can see it."""
    me = ctx.person()
    if internal and not is_agent(me):
        raise NotAllowed("Only agents can write internal notes.")
    if not body.strip():
        raise DeskError("Say what to add, e.g. `/desk comment INC-42 restarted the router`.")
    ctx.session.add(CommentRow(ticket_id=ticket.id, author_id=me.id, body=body, internal=internal,
                               platform=ctx.platform, created_at=ctx.now))
    audit(ctx, ticket, "note" if internal else "comment")
    ticket.updated_at = ctx.now
    if internal:
        tell_agents(ctx, ticket, f"Note by {me.display_name}: {body}")
        return f"Internal note added to {ticket.key}."
    if is_agent(me) and me.id != ticket.requester_id:
        _first_response(ctx, ticket)
        if echo:
            tell_requester(ctx, ticket, f"{me.display_name} from IT: {body}")
    else:
        tell_agents(ctx, ticket, f"{me.display_name} wrote: {body}")
    return f"Comment added to {ticket.key}."


def set_priority(ctx: Ctx, ticket: TicketRow, *, impact: int, urgency: int) -> str:
    new = priority_for(impact=impact, urgency=urgency, matrix=ctx.settings.priority_matrix)
    audit(ctx, ticket, "priority", field="priority", old=f"{ticket.priority} ({ticket.impact},{ticket.urgency})",
          new=f"{new} ({impact},{urgency})")
    ticket.impact, ticket.urgency, ticket.priority, ticket.updated_at = impact, urgency, new, ctx.now
    update_due_dates(ctx, ticket)
    _corrected(ctx, ticket, "priority", f"the priority of {ticket.key}", impact=f"impact {impact}",
               urgency=f"urgency {urgency}")
    return f"{ticket.key} is now {new}."


def set_kind(ctx: Ctx, ticket: TicketRow, kind: Kind) -> str:
    if kind.value == ticket.kind:
        return f"{ticket.key} already is {kind.value}."
    old_key = ticket.key
    audit(ctx, ticket, "kind", field="kind", old=ticket.kind, new=kind.value)
    ticket.kind, ticket.updated_at = kind.value, ctx.now
    _corrected(ctx, ticket, "kind", f"the kind of {old_key}", kind=kind.value)
    return f"{old_key} is now {ticket.key}."


def set_category(ctx: Ctx, ticket: TicketRow, category: str) -> str:
    known = ctx.settings.category_names()
    if category not in known:
        raise DeskError(f"No category {category!r}. Known: {', '.join(known)}.")
    audit(ctx, ticket, "category", field="category", old=ticket.category, new=category)
    ticket.category, ticket.updated_at = category, ctx.now
    _corrected(ctx, ticket, "category", f"the category of {ticket.key}", category=f"category {category}")
    return f"{ticket.key} category is now {category}."


def _corrected(ctx: Ctx, ticket: TicketRow, field: str, what: str, **decisions: str) -> None:
    """After an agent corrected the triage: the model learns it, the ticket says who decided, and the
    requester is told again what their ticket now is."""
    learn_correction(ctx.session, ticket, field, now=ctx.now)
    who = ctx.person().display_name
    ticket.triage_reasons = {**(ticket.triage_reasons or {}),
                             **{name: f"{value}: corrected by {who}" for name, value in decisions.items()}}
    promise = first_response_target(ctx.settings, ticket.priority) if field == "priority" else None
    tell_requester(ctx, ticket, corrected_text(ticket, what, first_response=promise))
    refresh_cards(ctx, ticket)


def hold(ctx: Ctx, ticket: TicketRow, reason: str, *, until: date | None = None) -> str:
    """On hold, optionally until a date (local to the ticket's team): then the assignee is reminded."""
    until_at = None
    if until is not None:
        until_at = local_day_start(ctx.settings, ticket, until, around=ctx.now)
        if until_at <= ctx.now:
            raise DeskError(f"{until.isoformat()} is not in the future; hold until a later date.")
    move(ctx, ticket, Status.ON_HOLD)
    ticket.hold_reason, ticket.hold_until = reason, until_at
    shown = f" until {local_date(until_at, ticket_time_zone(ctx.settings, ticket, around=ctx.now))}" \
        if until_at else ""
    tell_requester(ctx, ticket, f"{ticket.key} is on hold{shown}" + (f": {reason}" if reason else "."))
    refresh_cards(ctx, ticket)
    return f"{ticket.key} is on hold{shown}; the SLA clock is paused."


def resume(ctx: Ctx, ticket: TicketRow) -> str:
    if ticket.state is not Status.ON_HOLD:
        raise DeskError(f"{ticket.key} is {ticket.state.label}, not on hold; there is nothing to resume.")
    move(ctx, ticket, Status.IN_PROGRESS)
    tell_requester(ctx, ticket, f"Work on {ticket.key} has resumed.")
    refresh_cards(ctx, ticket)
    return f"{ticket.key} resumed."


def resolve_by_hand(ctx: Ctx, ticket: TicketRow, resolution: str) -> str:
    """An agent resolves a ticket; one nobody had claimed becomes theirs first (audited), as whoever fixed it
    is who the requester and the numbers should see."""
    me = ctx.person()
    if ticket.assignee_id is None and ticket.state.is_open and is_agent(me):
        audit(ctx, ticket, "assign", field="assignee", old="", new=me.display_name)
        ticket.assignee, ticket.assignee_id = me, me.id
    return resolve(ctx, ticket, resolution)


def resolve(ctx: Ctx, ticket: TicketRow, resolution: str, *, self_service: bool = False) -> str:
    move(ctx, ticket, Status.RESOLVED)
    ticket.resolution = resolution
    ticket.self_service = self_service
    _first_response(ctx, ticket)
    if self_service:
        tell_requester(ctx, ticket, f"Glad it's fixed. {ticket.key} is resolved (self-service).")
    else:
        tell_requester(ctx, ticket, confirm_card(ticket))
    refresh_cards(ctx, ticket)
    return f"{ticket.key} resolved; the requester is asked to confirm."


def reopen(ctx: Ctx, ticket: TicketRow, reason: str) -> str:
    target = Status.IN_PROGRESS if ticket.assignee_id else Status.NEW
    move(ctx, ticket, target)
    ticket.resolution = ""
    if reason:
        ctx.session.add(CommentRow(ticket_id=ticket.id, author_id=ctx.person().id, body=f"Reopened: {reason}",
                                   platform=ctx.platform, created_at=ctx.now))
    who = ctx.person().display_name
    tell_agents(ctx, ticket, f"{who} reopened {ticket.key}" + (f": {reason}" if reason else "."))
    if ctx.person().id != ticket.requester_id:
        tell_requester(ctx, ticket, f"{ticket.key} is open again" + (f": {reason}" if reason else "."))
    else:
        tell_requester(ctx, ticket, f"{ticket.key} is open again; IT has been told.")
    refresh_cards(ctx, ticket)
    return f"{ticket.key} reopened."


def close(ctx: Ctx, ticket: TicketRow) -> str:
    move(ctx, ticket, Status.CLOSED)
    if ctx.person().id == ticket.requester_id:
        tell_requester(ctx, ticket, f"Glad it's fixed. {ticket.key} is closed.")
    else:
        tell_requester(ctx, ticket, f"{ticket.key} is closed.")
    tell_requester(ctx, ticket, survey_card(ticket))
    refresh_cards(ctx, ticket)
    return f"{ticket.key} closed."


def cancel(ctx: Ctx, ticket: TicketRow, reason: str) -> str:
    move(ctx, ticket, Status.CANCELLED)
    ticket.resolution = reason
    tell_requester(ctx, ticket, f"{ticket.key} is cancelled" + (f": {reason}" if reason else "."))
    refresh_cards(ctx, ticket)
    return f"{ticket.key} cancelled."


def confirm(ctx: Ctx, ticket: TicketRow) -> str:
    if ticket.state is not Status.RESOLVED:
        raise DeskError(f"{ticket.key} is {ticket.state.label}; only a resolved ticket can be confirmed.")
    close(ctx, ticket)
    tell_agents(ctx, ticket, f"{ctx.person().display_name} confirmed the fix; {ticket.key} is closed.")
    return f"Thanks! {ticket.key} is closed."


def reject(ctx: Ctx, ticket: TicketRow, reason: str) -> str:
    if ticket.state is not Status.RESOLVED:
        raise DeskError(f"{ticket.key} is {ticket.state.label}; only a resolved ticket can be rejected.")
    reopen(ctx, ticket, reason or "not fixed")
    return f"{ticket.key} is open again; IT has been told."
