"""The quieter scheduled work: reminders for long holds, closing resolved tickets nobody answered, and each
agent's morning digest. Like the sweep, each is recorded once and returns when it may next have work."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.actions import move
from core.business_time.calendar import BusinessCalendar, add_business_time, next_opening
from core.business_time.wording import local_date
from core.cards import Card
from core.context import Ctx
from core.due import status_history, ticket_time_zone
from core.lifecycle import OPEN_STATUSES, Status
from core.notify import refresh_cards, tell_agents, tell_requester
from core.scheduling.jobs import scheduled
from core.scheduling.runner import SystemRunner, for_each_ticket
from core.sla.sweep import record
from core.storage.models import DigestRow, PersonRow, SlaEventRow, TicketRow
from core.team_reach import direct_to
from core.teams import calendar_of, default_calendar
from core.views import sla_due_text, survey_card

HOLD, REMINDER, AUTO_CLOSE = "hold", "reminder", "auto_close"


def working_day(calendar: BusinessCalendar) -> timedelta:
    """The business time in one working day: what "N business days" multiplies."""
    total = timedelta(0)
    for opening, closing in calendar.working_hours:
        end = timedelta(hours=24) if closing == time(0) else _since_midnight(closing)
        total += end - _since_midnight(opening)
    return total


def _since_midnight(at: time) -> timedelta:
    return timedelta(hours=at.hour, minutes=at.minute)


def _mark(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _already(ctx: Ctx, ticket: TicketRow, *, clock: str, kind: str, mark: str) -> bool:
    return ctx.session.scalar(select(SlaEventRow.id).where(
        SlaEventRow.ticket_id == ticket.id, SlaEventRow.clock == clock, SlaEventRow.kind == kind,
        SlaEventRow.mark == mark)) is not None


def _ids(runner: SystemRunner, status: Status) -> list[int]:
    return runner.run_as_system(lambda ctx: list(ctx.session.scalars(
        select(TicketRow.id).where(TicketRow.status == status.value).order_by(TicketRow.id))))


def _soonest(found: list[datetime | None]) -> datetime | None:
    return min((at for at in found if at is not None), default=None)


# --- holds -----------------------------------------------------------------------------------------------


@scheduled("hold-reminders", every=timedelta(minutes=5))
def remind_holds(runner: SystemRunner) -> datetime | None:
    """Remind the assignee of a hold whose "until" date has come, or (without a date) that lasted
    `hold_reminder_business_days`. One reminder per hold."""
    pending: list[datetime | None] = []
    for_each_ticket(runner, _ids(runner, Status.ON_HOLD), lambda ctx, ticket_id: pending.append(
        _remind(ctx, ticket_id)))
    return _soonest(pending)


def _remind(ctx: Ctx, ticket_id: int) -> datetime | None:
    ticket = ctx.session.get(TicketRow, ticket_id, with_for_update=True)
    if ticket is None or ticket.state is not Status.ON_HOLD:
        return None
    calendar = calendar_of(ctx.settings, ticket, around=ctx.now)
    since = status_history(ctx.session, ticket)[-1].at
    days = ctx.settings.sla.hold_reminder_business_days
    if ticket.hold_until is not None:
        due = next_opening(calendar, ticket.hold_until)
    elif days:
        due = add_business_time(calendar, start=since, duration=days * working_day(calendar))
    else:
        return None
    mark = _mark(since)
    if _already(ctx, ticket, clock=HOLD, kind=REMINDER, mark=mark):
        return None
    if due > ctx.now:
        return due
    record(ctx, ticket, clock=HOLD, kind=REMINDER, mark=mark)
    zone = ticket_time_zone(ctx.settings, ticket, around=ctx.now)
    held = f"was on hold until {local_date(ticket.hold_until, zone)}" if ticket.hold_until \
        else f"has been on hold for {days} business days"
    reason = f" ({ticket.hold_reason})" if ticket.hold_reason else ""
    message = f"{ticket.key} {held}{reason}. `/desk resume {ticket.key}` to go on, or hold it again with a " \
              "new date."
    tell_agents(ctx, ticket, message)
    if ticket.assignee_id is not None:
        place = direct_to(ctx, ticket.assignee_id, prefer=ticket.origin_platform)
        if place is not None:
            ctx.outbox.send(place, Card(title="", text=message, tone="warning"), ticket_id=ticket.id,
                            ticket_key=ticket.key)
    return None


# --- auto-close ------------------------------------------------------------------------------------------


@scheduled("auto-close", every=timedelta(minutes=5))
def auto_close(runner: SystemRunner) -> datetime | None:
    """Close tickets resolved `auto_close_business_days` ago whose requester never answered "Is it fixed?"."""
    if runner.run_as_system(lambda ctx: ctx.settings.sla.auto_close_business_days) == 0:
        return None
    pending: list[datetime | None] = []
    for_each_ticket(runner, _ids(runner, Status.RESOLVED), lambda ctx, ticket_id: pending.append(
        _close(ctx, ticket_id)))
    return _soonest(pending)


def _close(ctx: Ctx, ticket_id: int) -> datetime | None:
    ticket = ctx.session.get(TicketRow, ticket_id, with_for_update=True)
    if ticket is None or ticket.state is not Status.RESOLVED or ticket.resolved_at is None:
        return None
    days = ctx.settings.sla.auto_close_business_days
    calendar = calendar_of(ctx.settings, ticket, around=ctx.now)
    due = add_business_time(calendar, start=ticket.resolved_at, duration=days * working_day(calendar))
    if due > ctx.now:
        return due
    record(ctx, ticket, clock="resolution", kind=AUTO_CLOSE, mark=_mark(ticket.resolved_at))
    move(ctx, ticket, Status.CLOSED)
    tell_requester(ctx, ticket, f"{ticket.key} was resolved {days} business days ago and nobody said "
                                "it was still broken, so it is now closed. If the problem is back, "
                                "report it again.")
    tell_requester(ctx, ticket, survey_card(ticket))
    tell_agents(ctx, ticket, f"{ticket.key} closed automatically: no answer within {days} business days.")
    refresh_cards(ctx, ticket)
    return None


# --- the daily digest ------------------------------------------------------------------------------------


@scheduled("digest", every=timedelta(minutes=5))
def send_digests(runner: SystemRunner) -> datetime | None:
    """At `digest_at` on each working day of the default calendar, every agent gets their open tickets,
    the soonest due first. Returns when the next digest is due."""
    return runner.run_as_system(_digests)


def _digests(ctx: Ctx) -> datetime | None:
    at = ctx.settings.sla.digest_time()
    if at is None:
        return None
    calendar = default_calendar(ctx.settings, around=ctx.now)
    zone = ZoneInfo(calendar.time_zone)
    today = ctx.now.astimezone(zone).date()
    for day in (today + timedelta(days=n) for n in range(0, 370)):
        instant = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
        if not calendar.is_working_day(day):
            continue
        if instant > ctx.now:
            return instant
        agents = ctx.session.scalars(select(PersonRow).where(PersonRow.role.in_(("agent", "admin")))).all()
        for agent in agents:
            if ctx.session.get(DigestRow, (agent.id, day.isoformat())) is None:
                ctx.session.add(DigestRow(person_id=agent.id, day=day.isoformat(), at=ctx.now))
                _digest_for(ctx, agent)
        ctx.session.flush()
    return None


def _digest_for(ctx: Ctx, agent: PersonRow) -> None:
    open_statuses = [s.value for s in OPEN_STATUSES]
    tickets = ctx.session.scalars(
        select(TicketRow).where(TicketRow.assignee_id == agent.id, TicketRow.status.in_(open_statuses))).all()
    place = direct_to(ctx, agent.id)
    if not tickets or place is None:
        return
    far = datetime.max.replace(tzinfo=UTC)

    def soonest(ticket: TicketRow) -> datetime:
        due = [ticket.resolution_due, None if ticket.first_response_at else ticket.first_response_due]
        return min((d for d in due if d is not None), default=far)

    lines = []
    for ticket in sorted(tickets, key=lambda t: (soonest(t), t.id)):
        zone = ticket_time_zone(ctx.settings, ticket, around=ctx.now)
        due = sla_due_text(ticket, now=ctx.now, time_zone=zone)
        line = f"{ticket.key} {ticket.priority} {ticket.state.label}: {ticket.title}"
        lines.append(line + (f" ({due})" if due else ""))
    ctx.outbox.send(place, Card(title=f"{agent.display_name}, your open tickets, due first",
                                text="\n".join(lines), footer="`/desk mine` shows them any time."))
