"""The SLA sweep: at the warn share of a target a warning, at the target a breach and one tier up.

Each ticket is checked in its own transaction, with its row locked. The event's row in `sla_events` and
the notifications it causes commit together, and the unique constraint on that table refuses a second
row: a restart, a sweep that runs twice or a second process never posts the same warning again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select

from core.business_time.clock_accounting import SlaClock
from core.business_time.wording import describe_duration, local_time
from core.cards import text_card
from core.context import Ctx
from core.due import (
    BREACH,
    WARNING,
    ClockView,
    read_clocks,
    recorded_events,
    ticket_time_zone,
    update_due_dates,
)
from core.lifecycle import Status
from core.notify import audit, refresh_cards, tell_agents
from core.scheduling.jobs import scheduled
from core.scheduling.runner import SystemRunner, for_each_ticket
from core.sla.escalation import escalate, post_to_team
from core.storage.models import SlaEventRow, TicketRow
from core.team_reach import direct_to
from core.teams import next_in_line, team_of

log = logging.getLogger(__name__)
RUNNING = (Status.NEW.value, Status.IN_PROGRESS.value)
LABELS = {SlaClock.FIRST_RESPONSE: "first response", SlaClock.RESOLUTION: "resolution"}


def record(ctx: Ctx, ticket: TicketRow, *, clock: str, kind: str, mark: str = "") -> None:
    """Write the event's row now: if another process already has, this transaction fails before it sends."""
    ctx.session.add(SlaEventRow(ticket_id=ticket.id, clock=clock, kind=kind, mark=mark, at=ctx.now))
    ctx.session.flush()


@scheduled("sla-sweep", every=timedelta(minutes=1))
def sweep_sla(runner: SystemRunner) -> datetime | None:
    """Warn and breach whatever is due; returns when the next warning or breach may be due."""
    ids = runner.run_as_system(lambda ctx: list(ctx.session.scalars(
        select(TicketRow.id).where(TicketRow.status.in_(RUNNING), TicketRow.sla_check_at <= ctx.now)
        .order_by(TicketRow.sla_check_at))))
    for_each_ticket(runner, ids, check_ticket)
    return runner.run_as_system(lambda ctx: ctx.session.scalar(
        select(func.min(TicketRow.sla_check_at)).where(TicketRow.status.in_(RUNNING))))


def check_ticket(ctx: Ctx, ticket_id: int) -> int:
    ticket = ctx.session.get(TicketRow, ticket_id, with_for_update=True)
    if ticket is None:
        return 0
    recorded = recorded_events(ctx.session, ticket)
    fired = 0
    for view in read_clocks(ctx, ticket) if ticket.status in RUNNING else []:
        name = view.clock.value
        if not view.running or (name, BREACH) in recorded:
            continue
        if view.breach_at is not None and view.breach_at <= ctx.now:
            # Past the target already (spoc was down, or a priority went up): the warning is moot.
            record(ctx, ticket, clock=name, kind=BREACH)
            breach(ctx, ticket, view)
            fired += 1
        elif view.warn_at is not None and view.warn_at <= ctx.now and (name, WARNING) not in recorded:
            record(ctx, ticket, clock=name, kind=WARNING)
            warn(ctx, ticket, view)
            fired += 1
    update_due_dates(ctx, ticket)
    return fired


def warn(ctx: Ctx, ticket: TicketRow, view: ClockView) -> None:
    label, zone = LABELS[view.clock], ticket_time_zone(ctx.settings, ticket, around=ctx.now)
    due = local_time(view.breach_at, zone) if view.breach_at else "soon"
    share = round(100 * view.reading.share)
    why = f"{share}% of the {label} target ({describe_duration(view.reading.target)}) is used; due {due}."
    audit(ctx, ticket, "sla_warning", field=view.clock.value,
          new=view.breach_at.isoformat() if view.breach_at else "")
    post_to_team(ctx, ticket, team_of(ctx.settings, ticket),
                 title=f"SLA warning: {ticket.key} · {ticket.title}", why=why, tone="warning",
                 mention_on_call=False)
    _tell_assignee(ctx, ticket, f"{ticket.key}: {label} due {due} ({share}% of the target used).")


def breach(ctx: Ctx, ticket: TicketRow, view: ClockView) -> None:
    label, zone = LABELS[view.clock], ticket_time_zone(ctx.settings, ticket, around=ctx.now)
    when = local_time(view.breach_at or ctx.now, zone)
    why = f"The {label} target ({describe_duration(view.reading.target)}) was breached at {when}."
    audit(ctx, ticket, "sla_breach", field=view.clock.value, new=(view.breach_at or ctx.now).isoformat())
    team = next_in_line(ctx.settings, ticket)
    if team is not None:
        escalate(ctx, ticket, team, reason=why)
        _tell_assignee(ctx, ticket,
                       f"{ticket.key} breached its {label} target and is escalated to {team.title}.")
        return
    current = team_of(ctx.settings, ticket)
    post_to_team(ctx, ticket, current, title=f"SLA breached: {ticket.key} · {ticket.title}",
                 why=f"{why} No tier above {current.title if current else 'this one'}.")
    tell_agents(ctx, ticket, f"{ticket.key} breached its {label} target.")
    _tell_assignee(ctx, ticket, f"{ticket.key} breached its {label} target.")
    refresh_cards(ctx, ticket)  # its SLA line now reads "overdue"


def _tell_assignee(ctx: Ctx, ticket: TicketRow, message: str) -> None:
    if ticket.assignee_id is None:
        return
    place = direct_to(ctx, ticket.assignee_id, prefer=ticket.origin_platform)
    if place is not None:
        ctx.outbox.send(place, text_card(message, tone="warning"), ticket_id=ticket.id, ticket_key=ticket.key)
