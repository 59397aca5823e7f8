"""The catalog's scheduled work: approvals nobody decided are reminded once after
`desk.catalog.remind_after_hours` and end after `expire_after_hours`; tasks scheduled for a day (a leaver's
last day) come off hold when it comes; the first parts of forms nobody finished are forgotten. Each is
idempotent: the row it changes says it was done."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from core.catalog import approvals, fulfilment
from core.context import Ctx
from core.scheduling.jobs import scheduled
from core.scheduling.runner import SystemRunner, for_each_ticket
from core.storage.catalog_models import FormDraftRow, OrderApprovalRow, OrderRow, OrderTaskRow
from core.storage.models import TicketRow


@scheduled("order-approvals", every=timedelta(minutes=5))
def chase_approvals(runner: SystemRunner) -> datetime | None:
    ids = runner.run_as_system(lambda ctx: list(ctx.session.scalars(
        select(OrderRow.ticket_id).where(OrderRow.state == approvals.AWAITING).order_by(OrderRow.ticket_id))))
    pending: list[datetime | None] = []
    for_each_ticket(runner, ids, lambda ctx, ticket_id: pending.append(_chase(ctx, ticket_id)))
    return min((at for at in pending if at is not None), default=None)


def _chase(ctx: Ctx, ticket_id: int) -> datetime | None:
    order = ctx.session.get(OrderRow, ticket_id, with_for_update=True)
    ticket = ctx.session.get(TicketRow, ticket_id, with_for_update=True)
    if order is None or ticket is None or order.state != approvals.AWAITING:
        return None
    settings = ctx.settings.catalog
    rows = approvals.waiting_rows(ctx, ticket_id, order.step)
    if not rows:  # nobody could be asked when the step began: someone may be there to ask now
        item = approvals.item_of(ctx, order)
        if item is not None and order.step < len(item.approval):
            approvals.ask_step(ctx, ticket, order, item)
        return None
    step_began = ctx.session.scalar(select(func.min(OrderApprovalRow.asked_at)).where(
        OrderApprovalRow.ticket_id == ticket_id, OrderApprovalRow.step == order.step)) or ctx.now
    expires = step_began + timedelta(hours=settings.expire_after_hours)
    if expires <= ctx.now:
        approvals.expire(ctx, ticket, order)
        return None
    upcoming = [expires]
    for row in rows:
        due = row.asked_at + timedelta(hours=settings.remind_after_hours)
        if row.reminded_at is None and due <= ctx.now:
            approvals.remind(ctx, ticket, order, row)
        elif row.reminded_at is None:
            upcoming.append(due)
    return min(upcoming)


@scheduled("scheduled-tasks", every=timedelta(minutes=5))
def start_scheduled_tasks(runner: SystemRunner) -> datetime | None:
    found = runner.run_as_system(lambda ctx: ctx.session.execute(
        select(OrderTaskRow.task_id, OrderTaskRow.starts_at).where(OrderTaskRow.started.is_(False))
        .order_by(OrderTaskRow.starts_at)).all())
    due = runner.run_as_system(lambda ctx: [task_id for task_id, at in found if at is not None and at <= ctx.now])
    for_each_ticket(runner, due, fulfilment.start_scheduled)
    return min((at for _task_id, at in found if at is not None and _task_id not in due), default=None)


@scheduled("form-drafts", every=timedelta(hours=1))
def forget_form_drafts(runner: SystemRunner) -> datetime | None:
    """The first parts of forms nobody finished are forgotten after a day."""
    runner.run_as_system(lambda ctx: ctx.session.execute(
        delete(FormDraftRow).where(FormDraftRow.created_at < ctx.now - timedelta(days=1))))
    return None
