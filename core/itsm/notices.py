"""The scheduled announcements of approved changes: `desk.change_notice_hours` before the window, at its
start and at its end, to the service's channels and subscribers.

Like the SLA sweep, each change is looked at in its own transaction with its row locked, and each notice's
row in `change_notices` commits with the notifications it causes: the unique constraint there refuses a
second one, so a restart, a late run or a second process never announces anything twice. A notice that
is late (the change was approved late, or spoc was down) is recorded, and only the latest one that is due
is sent: nobody needs "in 24 hours" after "starting now".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select

from core.context import Ctx
from core.itsm.audience import broadcast
from core.itsm.change_views import change_service, notice_card
from core.itsm.changes import COMPLETED, FAILED, IN_PROGRESS, SCHEDULED
from core.scheduling.jobs import scheduled
from core.scheduling.runner import SystemRunner, for_each_ticket
from core.storage.itsm_models import ChangeNoticeRow, ChangeRow
from core.storage.models import TicketRow

ANNOUNCED = (SCHEDULED, IN_PROGRESS, COMPLETED, FAILED)
START, END = "start", "end"


def marks(ctx: Ctx, change: ChangeRow) -> list[tuple[datetime, str]]:
    """Every notice of `change`, in order: (when it is due, its mark)."""
    found = [(change.start_at - timedelta(hours=hours), f"before:{round(hours * 60)}")
             for hours in ctx.settings.change_notice_hours]
    return sorted(found) + [(change.start_at, START), (change.end_at, END)]


@scheduled("change-notices", every=timedelta(minutes=1))
def announce_changes(runner: SystemRunner) -> datetime | None:
    """Send the notices that are due; returns when the next one is."""
    ids = runner.run_as_system(_waiting)
    upcoming: list[datetime | None] = []
    for_each_ticket(runner, ids, lambda ctx, ticket_id: upcoming.append(announce(ctx, ticket_id)))
    return min((at for at in upcoming if at is not None), default=None)


def _waiting(ctx: Ctx) -> list[int]:
    """Approved changes whose end has not been announced yet."""
    ended = exists().where(ChangeNoticeRow.ticket_id == ChangeRow.ticket_id, ChangeNoticeRow.mark == END)
    return list(ctx.session.scalars(select(ChangeRow.ticket_id).where(ChangeRow.state.in_(ANNOUNCED), ~ended)
                                    .order_by(ChangeRow.start_at)))


def announce(ctx: Ctx, ticket_id: int) -> datetime | None:
    ticket = ctx.session.get(TicketRow, ticket_id, with_for_update=True)
    change = ctx.session.get(ChangeRow, ticket_id, with_for_update=True)
    if ticket is None or change is None or change.state not in ANNOUNCED:
        return None
    done = set(ctx.session.scalars(select(ChangeNoticeRow.mark)
                                   .where(ChangeNoticeRow.ticket_id == ticket_id)))
    pending = [(at, mark) for at, mark in marks(ctx, change) if mark not in done]
    if change.state in (COMPLETED, FAILED):  # finished: only the end is left to say
        pending = [(at, mark) for at, mark in pending if mark == END]
    due = [(at, mark) for at, mark in pending if at <= ctx.now]
    for _at, mark in due:
        ctx.session.add(ChangeNoticeRow(ticket_id=ticket_id, mark=mark, at=ctx.now))
    ctx.session.flush()  # another process that recorded these first makes this transaction fail here
    if due:
        _at, mark = due[-1]
        broadcast(ctx, change_service(ctx, change), notice_card(ctx, ticket, change, mark=mark, at=ctx.now))
    return min((at for at, _mark in pending if at > ctx.now), default=None)

