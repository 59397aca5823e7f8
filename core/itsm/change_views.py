"""How a change reads: its window in the desk's local time, its details card, its announcements."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.business_time.wording import local_time
from core.cards import Card, Field, Tone
from core.config.services import Service, service_named
from core.context import Ctx
from core.storage.itsm_models import ChangeRow
from core.storage.models import TicketRow
from core.teams import default_calendar

STATE_WORDS = {
    "draft": "draft", "awaiting_approval": "awaiting approval", "scheduled": "approved and scheduled",
    "in_progress": "in progress", "completed": "completed", "failed": "failed", "cancelled": "cancelled",
}


def desk_zone(ctx: Ctx) -> str:
    return default_calendar(ctx.settings, around=ctx.now).time_zone


def window_text(ctx: Ctx, change: ChangeRow) -> str:
    """`Sat 7 Mar 22:00 UTC - 23:00 UTC`, or both dates when it spans midnight."""
    zone = desk_zone(ctx)
    end = change.end_at.astimezone(ZoneInfo(zone))
    same_day = change.start_at.astimezone(ZoneInfo(zone)).date() == end.date()
    return f"{local_time(change.start_at, zone)} - {f'{end:%H:%M %Z}' if same_day else local_time(end, zone)}"


def change_service(ctx: Ctx, change: ChangeRow) -> Service:
    return service_named(ctx.settings.services, change.service) or Service(name=change.service)


def change_fields(ctx: Ctx, ticket: TicketRow, change: ChangeRow) -> tuple[Field, ...]:
    return (
        Field("Service", change_service(ctx, change).title),
        Field("Window", window_text(ctx, change)),
        Field("Risk", change.risk),
        Field("State", STATE_WORDS.get(change.state, change.state)),
        Field("Requested by", ticket.requester.display_name),
        Field("Plan", change.plan),
        Field("Rollback", change.rollback),
    )


def change_card(ctx: Ctx, ticket: TicketRow, change: ChangeRow, *, footer: str = "") -> Card:
    tone: Tone = "success" if change.state == "completed" else "warning" if change.risk == "high" else "info"
    return Card(title=f"{ticket.key} · {ticket.title}", fields=change_fields(ctx, ticket, change),
                footer=footer, tone=tone, more_command=f"/desk show {ticket.key}")


def time_left(left: timedelta) -> str:
    """`24 hours`, `10 hours 30 minutes`, `1 hour`, `30 minutes`, `2 days 4 hours`, as a person says it."""
    minutes = max(0, round(left.total_seconds() / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if minutes < 1 and not hours and not days:
        return "less than a minute"
    parts = [(days, "day"), (hours, "hour")] + ([] if days >= 2 else [(minutes, "minute")])
    if days == 1:  # "1 day 2 hours" reads worse than "26 hours"
        parts = [(24 + hours, "hour"), (minutes, "minute")]
    return " ".join(f"{n} {unit}{'s' * (n != 1)}" for n, unit in parts if n)


def notice_card(ctx: Ctx, ticket: TicketRow, change: ChangeRow, *, mark: str, at: datetime) -> Card:
    """What a service's subscribers read before, at the start and at the end of a change's window."""
    service = change_service(ctx, change)
    what = f"Planned change to {service.title}: {ticket.title} ({ticket.key})"
    window = window_text(ctx, change)
    tone: Tone
    if mark == "start":
        text, tone = f"Starting now, until {local_time(change.end_at, desk_zone(ctx))}.", "warning"
    elif mark == "end":
        text, tone = _ending(change), "success" if change.state != "failed" else "danger"
    else:
        # Worded from the time actually left when it is sent: a notice sent late says how late it is.
        text = f"Starts in {time_left(change.start_at - at)}, at {local_time(change.start_at, desk_zone(ctx))}."
        tone = "info"
    return Card(title=what, text=text, fields=(Field("Window", window), Field("Risk", change.risk)),
                tone=tone,
                footer=f"`/desk subscribe {service.name}` to be told directly about {service.title}.")


def _ending(change: ChangeRow) -> str:
    if change.state == "completed":
        return "Done: the change is complete."
    if change.state == "failed":
        return "The change did not succeed and was rolled back."
    return "The window has ended."
