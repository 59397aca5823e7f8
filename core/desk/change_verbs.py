"""Verbs of planned changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.cards import Card, Reply
from core.commands.params import Choice, Flag, Text, TicketKey, When, Word
from core.context import Ctx
from core.desk.params import service_choices
from core.desk.permissions import ANYONE, APPROVERS
from core.desk.registry import verb
from core.itsm import approval, changes
from core.itsm.audience import find_service
from core.itsm.change_views import STATE_WORDS, change_card, window_text
from core.storage.itsm_models import ChangeRow
from core.storage.models import TicketRow

CHANGE = TicketKey(name="ticket", what="change key (like CHG-3)", shown="CHG-N")


def _plan(*, required: bool) -> tuple[When | Choice | Text, ...]:
    """The options that say what a change will do, and when: all needed for a new one, any for a revision."""
    return (When(name="start", option=True, required=required, ask="Starts"),
            When(name="end", option=True, required=required, ask="Ends"),
            Choice(name="risk", option=True, required=required, ask="Risk",
                   options=(("low", "Low"), ("medium", "Medium"), ("high", "High"))),
            Text(name="plan", option=True, required=required, shown="TEXT", ask="Plan"),
            Text(name="rollback", option=True, required=required, shown="TEXT", ask="Rollback"))


def _plan_of(*, title: str, start: datetime | None, end: datetime | None, risk: str, plan: str,
             rollback: str) -> changes.Plan:
    return changes.Plan(title=title, start_at=start, end_at=end, risk=risk or None,  # type: ignore[arg-type]
                        plan=plan, rollback=rollback)


@verb("change new", Word(name="service", option=True, shown="S", ask="Service", options_from=service_choices),
      *_plan(required=True), Flag(name="draft"),
      Text(name="title", what="a title", shown="TITLE", many_lines=False, ask="What will change?"),
      strict=True, missing="A change needs {missing}. `/desk help change new` shows an example.",
      examples=('change new --service wifi --start 2026-03-07T22:00 --end 2026-03-07T23:00 --risk medium '
                '--plan "upgrade both controllers, one at a time" --rollback "reinstall 8.10 from the backup" '
                'Upgrade the Wi-Fi controllers',))
def change_new(ctx: Ctx, *, service: str, start: datetime, end: datetime, risk: str, plan: str, rollback: str,
               draft: bool, title: str) -> Reply:
    """Request a planned change (CHG). It goes to the change approvers at once (with --draft it waits for
    `/desk change submit`); once approved, the service's subscribers are told ahead of the window, at its
    start and at its end."""
    ticket, change = changes.create(ctx, find_service(ctx, service), _plan_of(
        title=title, start=start, end=end, risk=risk, plan=plan, rollback=rollback))
    if draft:
        return Reply(f"{ticket.key} saved as a draft for {window_text(ctx, change)}. "
                     f"`/desk change submit {ticket.key}` asks for approval.")
    return Reply(approval.submit(ctx, ticket, change))


@verb("change submit", CHANGE, *_plan(required=False),
      Text(name="title", required=False, shown="TITLE", many_lines=False, ask="What will change?"), strict=True,
      examples=("change submit CHG-3", "change submit CHG-3 --start 2026-03-14T22:00 --end 2026-03-14T23:00"))
def change_submit(ctx: Ctx, *, ticket: TicketRow, start: datetime | None, end: datetime | None, risk: str,
                  plan: str, rollback: str, title: str) -> Reply:
    """Ask for approval of a draft (or rejected) change, changing any of its details given."""
    change = changes.get_change(ctx, ticket)
    changes.require_state(ticket, change, changes.DRAFT, verb="be submitted")
    changes.revise(ctx, ticket, change, _plan_of(title=title, start=start, end=end, risk=risk, plan=plan,
                                                 rollback=rollback))
    return Reply(approval.submit(ctx, ticket, change))


@verb("change approve", CHANGE, allow=APPROVERS, exact=True, examples=("change approve CHG-3",))
def change_approve(ctx: Ctx, *, ticket: TicketRow) -> Reply:
    """Approve a change (the twin of its "Approve" button)."""
    return Reply(approval.approve(ctx, ticket, changes.get_change(ctx, ticket)))


@verb("change reject", CHANGE,
      Text(name="reason", ask="Why reject it?",
           missing="Say why, so the requester can fix it: `/desk change reject {ticket} REASON`."),
      allow=APPROVERS, examples=("change reject CHG-3 clashes with payroll",))
def change_reject(ctx: Ctx, *, ticket: TicketRow, reason: str) -> Reply:
    """Reject a change with a reason; it goes back to its requester as a draft."""
    return Reply(approval.reject(ctx, ticket, changes.get_change(ctx, ticket), reason))


@verb("change start", CHANGE, examples=("change start CHG-3",))
def change_start(ctx: Ctx, *, ticket: TicketRow) -> Reply:
    """Say an approved change's work has begun."""
    return Reply(changes.start(ctx, ticket, changes.get_change(ctx, ticket)))


@verb("change complete", CHANGE, Text(name="note", required=False, ask="How did it go?"),
      examples=("change complete CHG-3 all APs on 8.11",))
def change_complete(ctx: Ctx, *, ticket: TicketRow, note: str) -> Reply:
    """Say a change is done as planned."""
    return Reply(changes.complete(ctx, ticket, changes.get_change(ctx, ticket), note))


@verb("change fail", CHANGE, Text(name="reason", required=False, ask="What went wrong?"),
      examples=("change fail CHG-3 controller 2 would not boot",))
def change_fail(ctx: Ctx, *, ticket: TicketRow, reason: str) -> Reply:
    """Say a change did not succeed (and was rolled back)."""
    return Reply(changes.fail(ctx, ticket, changes.get_change(ctx, ticket), reason))


@verb("change cancel", CHANGE, Text(name="reason", required=False, ask="Why call it off?"),
      examples=("change cancel CHG-3 vendor postponed",))
def change_cancel(ctx: Ctx, *, ticket: TicketRow, reason: str) -> Reply:
    """Call off a change that has not started; anyone already told it was coming is told it is not."""
    return Reply(changes.cancel(ctx, ticket, changes.get_change(ctx, ticket), reason))


@verb("changes", allow=ANYONE, examples=("changes",))
def changes_(ctx: Ctx) -> Reply:
    """Planned changes that are not finished, the soonest first."""
    unfinished = (changes.DRAFT, changes.AWAITING, changes.SCHEDULED, changes.IN_PROGRESS)
    rows = ctx.session.scalars(select(ChangeRow).where(ChangeRow.state.in_(unfinished))
                               .order_by(ChangeRow.start_at).limit(25)).all()
    if not rows:
        return Reply(card=Card(title="Planned changes", text="No change is planned."))
    lines = []
    for change in rows:
        ticket = ctx.session.get(TicketRow, change.ticket_id)
        if ticket is not None:
            lines.append(f"{ticket.key} {change.service}: {ticket.title}, {window_text(ctx, change)} "
                         f"({STATE_WORDS[change.state]})")
    return Reply(card=Card(title="Planned changes", text="\n".join(lines),
                           footer="`/desk change show CHG-N` shows one with its plan."))


@verb("change show", CHANGE, allow=ANYONE, examples=("change show CHG-3",))
def change_show(ctx: Ctx, *, ticket: TicketRow) -> Reply:
    """A change with its window, risk, plan, rollback and state."""
    return Reply(card=change_card(ctx, ticket, changes.get_change(ctx, ticket)))
