"""Planned changes (CHG tickets): requested, approved, carried out in their window.

The change's own state is in `changes.state`; its ticket's status follows coarsely (new until it starts,
in progress, then closed or cancelled), so ticket lists and the audit trail stay meaningful.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select

from core.actions import move
from core.cards import Card
from core.config.services import Service
from core.context import Ctx
from core.due import update_due_dates
from core.errors import DeskError
from core.itsm.audience import broadcast
from core.itsm.change_views import change_service, window_text
from core.lifecycle import Kind, Status
from core.notify import audit, tell_requester
from core.priority import priority_for
from core.storage.itsm_models import ChangeNoticeRow, ChangeRow
from core.storage.models import TicketRow

Risk = Literal["low", "medium", "high"]
RISKS: tuple[Risk, ...] = ("low", "medium", "high")
DRAFT, AWAITING, SCHEDULED, IN_PROGRESS = "draft", "awaiting_approval", "scheduled", "in_progress"
COMPLETED, FAILED, CANCELLED = "completed", "failed", "cancelled"
IMPACT_OF_RISK = {"high": 1, "medium": 2, "low": 3}


@dataclass(frozen=True)
class Plan:
    """What a change request says; on a resubmission the parts given replace the old ones."""

    title: str = ""
    start_at: datetime | None = None
    end_at: datetime | None = None
    risk: Risk | None = None
    plan: str = ""
    rollback: str = ""


def get_change(ctx: Ctx, ticket: TicketRow) -> ChangeRow:
    change = ctx.session.get(ChangeRow, ticket.id, with_for_update=True)
    if ticket.kind != Kind.CHANGE.value or change is None:
        raise DeskError(f"{ticket.key} is not a change. `/desk changes` lists them.")
    return change


def create(ctx: Ctx, service: Service, plan: Plan) -> tuple[TicketRow, ChangeRow]:
    parts = (("--start", plan.start_at), ("--end", plan.end_at), ("--risk", plan.risk), ("--plan", plan.plan),
             ("--rollback", plan.rollback), ("a title", plan.title))
    missing = [name for name, value in parts if not value]
    if missing:
        raise DeskError(f"A change needs {', '.join(missing)}. `/desk help change new` shows an example.")
    assert plan.start_at and plan.end_at and plan.risk
    _check_window(ctx, plan.start_at, plan.end_at)
    impact = IMPACT_OF_RISK[plan.risk]
    ticket = TicketRow(
        kind=Kind.CHANGE.value, status=Status.NEW.value, title=plan.title[:300], description=plan.title,
        category=ctx.settings.classification.default_category, service=service.name, impact=impact, urgency=3,
        priority=priority_for(impact=impact, urgency=3, matrix=ctx.settings.priority_matrix),
        requester_id=ctx.person().id, origin_platform=ctx.platform, origin_channel=ctx.channel,
        origin_message="", created_at=ctx.now, updated_at=ctx.now,
    )
    ctx.session.add(ticket)
    ctx.session.flush()
    change = ChangeRow(ticket_id=ticket.id, service=service.name, start_at=plan.start_at, end_at=plan.end_at,
                       risk=plan.risk, plan=plan.plan, rollback=plan.rollback, state=DRAFT, round=0)
    ctx.session.add(change)
    audit(ctx, ticket, "opened", field="status", new=Status.NEW.value)
    update_due_dates(ctx, ticket)  # gives it the first line's team; changes run no SLA clocks
    return ticket, change


def revise(ctx: Ctx, ticket: TicketRow, change: ChangeRow, plan: Plan) -> None:
    """A draft takes the parts of `plan` that are given (before it is submitted again)."""
    start, end = plan.start_at or change.start_at, plan.end_at or change.end_at
    _check_window(ctx, start, end)
    for name, old, new in (("start", change.start_at, start), ("end", change.end_at, end),
                           ("risk", change.risk, plan.risk or change.risk), ("plan", change.plan, plan.plan),
                           ("rollback", change.rollback, plan.rollback), ("title", ticket.title, plan.title)):
        if new and new != old:
            audit(ctx, ticket, "revised", field=name, old=old, new=new)
    change.start_at, change.end_at = start, end
    change.risk = plan.risk or change.risk
    change.plan, change.rollback = plan.plan or change.plan, plan.rollback or change.rollback
    if plan.title:
        ticket.title = ticket.description = plan.title


def _check_window(ctx: Ctx, start: datetime, end: datetime) -> None:
    if end <= start:
        raise DeskError("The window must end after it starts, e.g. --start 2026-03-07T22:00 "
                        "--end 2026-03-07T23:00.")
    if end <= ctx.now:
        raise DeskError("That window is over already; give one that ends in the future.")


def start(ctx: Ctx, ticket: TicketRow, change: ChangeRow) -> str:
    require_state(ticket, change, SCHEDULED, verb="start")
    set_state(ctx, ticket, change, IN_PROGRESS)
    if ticket.state is Status.NEW:  # (an agent may have claimed it already)
        move(ctx, ticket, Status.IN_PROGRESS)
    return f"{ticket.key} is in progress. `/desk change complete {ticket.key}` or `fail` when it is done."


def complete(ctx: Ctx, ticket: TicketRow, change: ChangeRow, note: str) -> str:
    require_state(ticket, change, SCHEDULED, IN_PROGRESS, verb="complete")
    _finish(ctx, ticket, change, COMPLETED, note or "Completed as planned.")
    tell_requester(ctx, ticket, f"{ticket.key} is complete" + (f": {note}" if note else "."))
    return f"{ticket.key} completed."


def fail(ctx: Ctx, ticket: TicketRow, change: ChangeRow, reason: str) -> str:
    require_state(ticket, change, SCHEDULED, IN_PROGRESS, verb="fail")
    if not reason.strip():
        raise DeskError(f"Say what went wrong: `/desk change fail {ticket.key} REASON`.")
    _finish(ctx, ticket, change, FAILED, f"Failed: {reason}")
    tell_requester(ctx, ticket, f"{ticket.key} failed: {reason}")
    return f"{ticket.key} marked failed."


def cancel(ctx: Ctx, ticket: TicketRow, change: ChangeRow, reason: str) -> str:
    require_state(ticket, change, DRAFT, AWAITING, SCHEDULED, verb="cancel")
    announced = ctx.session.scalar(select(ChangeNoticeRow.id).where(ChangeNoticeRow.ticket_id == ticket.id)
                                   .limit(1)) is not None
    set_state(ctx, ticket, change, CANCELLED)
    ticket.resolution = reason
    if ticket.state.is_open:
        move(ctx, ticket, Status.CANCELLED)
    tell_requester(ctx, ticket, f"{ticket.key} is cancelled" + (f": {reason}" if reason else "."))
    if announced:  # the service's people were told it was coming: tell them it is not
        service = change_service(ctx, change)
        broadcast(ctx, service, Card(title=f"Cancelled: planned change to {service.title} ({ticket.key})",
                                     text=f"{ticket.title} will not happen {window_text(ctx, change)}.",
                                     tone="info"))
    return f"{ticket.key} cancelled."


def _finish(ctx: Ctx, ticket: TicketRow, change: ChangeRow, state: str, resolution: str) -> None:
    """The change is over: its ticket closes (the generic ticket verbs may have moved it part of the way)."""
    set_state(ctx, ticket, change, state)
    ticket.resolution = resolution
    if ticket.state.is_open:
        move(ctx, ticket, Status.RESOLVED)
    if ticket.state is Status.RESOLVED:
        move(ctx, ticket, Status.CLOSED)


def require_state(ticket: TicketRow, change: ChangeRow, *states: str, verb: str) -> None:
    if change.state not in states:
        words = " or ".join(s.replace("_", " ") for s in states)
        raise DeskError(f"{ticket.key} is {change.state.replace('_', ' ')}; only a change that is {words} "
                        f"can {verb}.")


def set_state(ctx: Ctx, ticket: TicketRow, change: ChangeRow, state: str) -> None:
    audit(ctx, ticket, "change_state", field="state", old=change.state, new=state)
    change.state = state
    ticket.updated_at = ctx.now
