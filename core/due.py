"""A ticket's SLA clocks as the desk sees them: read from its status history, stored as due dates.

The status history is derived from the audit trail (`move()` is the only way a status changes, and it
always writes an audit row with action "status"), so there is one record of what happened, old tickets
have a history too, and nothing can drift between two books.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.business_time.clock_accounting import ClockReading, ClockState, SlaClock, StatusChange, read_clock
from core.context import Ctx
from core.lifecycle import Kind
from core.settings import DeskSettings
from core.storage.models import AuditRow, SlaEventRow, TicketRow
from core.teams import calendar_of, first_line

CLOCKS = (SlaClock.FIRST_RESPONSE, SlaClock.RESOLUTION)
UNTIMED_KINDS = (Kind.PROBLEM.value, Kind.CHANGE.value)
WARNING, BREACH = "warning", "breach"


def status_history(session: Session, ticket: TicketRow) -> list[StatusChange]:
    rows = session.execute(
        select(AuditRow.at, AuditRow.new)
        .where(AuditRow.ticket_id == ticket.id, AuditRow.action == "status")
        .order_by(AuditRow.id)
    ).all()
    history = [StatusChange(ticket.created_at, "new")]
    for at, status in rows:
        # Two processes' clocks may disagree by a little; the history must never go backwards.
        history.append(StatusChange(max(at, history[-1].at), status))
    return history


@dataclass(frozen=True)
class ClockView:
    clock: SlaClock
    reading: ClockReading
    warn_at: datetime | None  # when the warn share is reached, if the clock keeps running

    @property
    def running(self) -> bool:
        return self.reading.state is ClockState.RUNNING

    @property
    def breach_at(self) -> datetime | None:
        return self.reading.due_at


def read_clocks(ctx: Ctx, ticket: TicketRow, *, new: bool = False) -> list[ClockView]:
    """`new`: the ticket was opened in this transaction, so its history is its creation alone."""
    settings = ctx.settings.sla
    calendar = calendar_of(ctx.settings, ticket, around=ctx.now)
    history = [StatusChange(ticket.created_at, "new")] if new else status_history(ctx.session, ticket)
    policy = settings.policy()
    views = []
    for clock in CLOCKS:
        target = policy.target(priority=ticket.priority, clock=clock)
        reading = read_clock(calendar, history, target=target, now=ctx.now, clock=clock,
                             responded_at=ticket.first_response_at)
        warn = read_clock(calendar, history, target=target * settings.warn_at, now=ctx.now, clock=clock,
                          responded_at=ticket.first_response_at).due_at
        views.append(ClockView(clock=clock, reading=reading, warn_at=warn))
    return views


def recorded_events(session: Session, ticket: TicketRow) -> set[tuple[str, str]]:
    rows = session.execute(
        select(SlaEventRow.clock, SlaEventRow.kind)
        .where(SlaEventRow.ticket_id == ticket.id, SlaEventRow.mark == "")
    ).all()
    return {(clock, kind) for clock, kind in rows}


def next_check(views: list[ClockView], recorded: set[tuple[str, str]]) -> datetime | None:
    """The next instant at which a warning or breach of this ticket is due and not yet recorded."""
    pending: list[datetime] = []
    for view in views:
        if not view.running or (view.clock.value, BREACH) in recorded:
            continue
        if view.warn_at is not None and (view.clock.value, WARNING) not in recorded:
            pending.append(view.warn_at)
        if view.breach_at is not None:
            pending.append(view.breach_at)
    return min(pending, default=None)


def update_due_dates(ctx: Ctx, ticket: TicketRow, *, new: bool = False) -> list[ClockView]:
    """Store when each clock runs out (None while paused or stopped) and when the sweep must look next.
    Called whatever changes the clocks: a status change, the first response, a priority or a team.
    `new`: the ticket was opened in this transaction (no history or recorded events to read yet)."""
    if not ticket.team:
        team = first_line(ctx.settings, ticket.category)
        if team is not None:
            ticket.team, ticket.tier = team.name, team.tier
    if not new:
        ctx.session.flush()
    if ticket.kind in UNTIMED_KINDS:  # a problem or a change has no response or resolution target
        for column in ("first_response_due", "resolution_due", "sla_check_at"):
            _set(ticket, column, None)
        return []
    views = read_clocks(ctx, ticket, new=new)
    by_clock = {view.clock: view for view in views}
    _set(ticket, "first_response_due", by_clock[SlaClock.FIRST_RESPONSE].breach_at)
    _set(ticket, "resolution_due", by_clock[SlaClock.RESOLUTION].breach_at)
    _set(ticket, "sla_check_at", next_check(views, set() if new else recorded_events(ctx.session, ticket)))
    return views


def _set(ticket: TicketRow, column: str, value: datetime | None) -> None:
    # Writing an equal value would still bump the row's version and make concurrent edits retry.
    if getattr(ticket, column) != value:
        setattr(ticket, column, value)


def first_response_target(settings: DeskSettings, priority: str) -> timedelta:
    return settings.sla.policy().target(priority=priority, clock=SlaClock.FIRST_RESPONSE)


def local_day_start(settings: DeskSettings, ticket: TicketRow, day: date, *, around: datetime) -> datetime:
    """Midnight at the start of `day` where the ticket's team works, as a UTC instant."""
    zone = ZoneInfo(calendar_of(settings, ticket, around=around).time_zone)
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def ticket_time_zone(settings: DeskSettings, ticket: TicketRow, *, around: datetime) -> str:
    return calendar_of(settings, ticket, around=around).time_zone
