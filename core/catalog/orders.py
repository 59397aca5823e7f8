"""Placing an order: the answers are checked, a REQ ticket opens for it, and its approval chain starts (or,
with none, its fulfilment)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from core.actions import move
from core.catalog import approvals, fulfilment, seats
from core.catalog.form import summary
from core.catalog.views import order_card
from core.config.catalog import CatalogItem
from core.context import Ctx
from core.due import update_due_dates
from core.errors import DeskError, NotAllowed
from core.lifecycle import Kind, Status
from core.notify import audit, refresh_cards, tell_requester
from core.people import is_agent
from core.person_lookup import describe, one_person
from core.storage.catalog_models import OrderRow
from core.storage.models import TicketRow
from core.storage.writes import store_now

AWAITING = "awaiting_approval"


def get_order(ctx: Ctx, ticket: TicketRow) -> OrderRow:
    order = ctx.session.get(OrderRow, ticket.id, with_for_update=True)
    if order is None:
        raise DeskError(f"{ticket.key} is not an order. `/desk orders` lists yours.")
    return order


def place(ctx: Ctx, item: CatalogItem, answers: dict[str, object]) -> tuple[TicketRow, str]:
    """Open the order's REQ ticket and start its approval; returns the ticket and what the requester is told."""
    me = ctx.person()
    if item.who == "agents" and not is_agent(me):
        raise NotAllowed(f"{item.name} can be ordered by IT agents only; `/desk order` lists what you can order.")
    stored = _stored(ctx, item, answers)
    seats.refuse_when_full(ctx, item)
    impact, urgency = fulfilment.LEVELS[item.priority]
    ticket = TicketRow(
        kind=Kind.REQUEST.value, status=Status.NEW.value, title=f"{item.name} for {me.display_name}"[:300],
        description=summary(item, stored) or item.name, category=item.category, service="", impact=impact,
        urgency=urgency, priority=item.priority, requester_id=me.id, origin_platform=ctx.platform,
        origin_channel=ctx.channel, origin_message="", created_at=ctx.now, updated_at=ctx.now,
        triage_reasons={"kind": f"ordered from the catalog: {item.slug}"},
    )
    update_due_dates(ctx, ticket, new=True)
    store_now(ctx.session, ticket)
    order = OrderRow(ticket_id=ticket.id, item=item.slug, item_name=item.name, answers=stored, state=AWAITING,
                     step=0, created_at=ctx.now)
    ctx.session.add(order)
    audit(ctx, ticket, "opened", field="status", new=Status.NEW.value)
    audit(ctx, ticket, "ordered", field="item", new=item.slug)
    move(ctx, ticket, Status.IN_PROGRESS)
    tell_requester(ctx, ticket, order_card(ticket, order, item, requester=me.display_name, with_state=False))
    refresh_cards(ctx, ticket, new=True)
    told = approvals.begin(ctx, ticket, order, item)
    return ticket, f"{ticket.key} ordered: {item.name}. {told}"


def _stored(ctx: Ctx, item: CatalogItem, answers: dict[str, object]) -> dict[str, object]:
    """The answers as kept with the order: dates written out, people looked up (someone unknown is refused)."""
    stored: dict[str, object] = {}
    for field in item.fields:
        value = answers.get(field.name)
        if value in (None, ""):
            continue
        if field.kind == "person":
            person = one_person(ctx.session, str(value), platform=ctx.platform, any_name=True,
                                example=f"/desk order {item.slug} --{field.name} @kim")
            value = describe(ctx.session, person)
        elif isinstance(value, date | datetime):
            value = value.isoformat()
        stored[field.name] = value
    return stored


def orders_of(ctx: Ctx, person_id: int, *, limit: int = 20) -> list[tuple[TicketRow, OrderRow]]:
    rows = ctx.session.execute(select(TicketRow, OrderRow).join(OrderRow, OrderRow.ticket_id == TicketRow.id)
                               .where(TicketRow.requester_id == person_id).order_by(TicketRow.id.desc())
                               .limit(limit)).all()
    return [(ticket, order) for ticket, order in rows]


def withdrawn(ctx: Ctx, ticket: TicketRow) -> str:
    """The order's ticket was cancelled: the approvals still waiting end, and its open tasks are cancelled."""
    order = ctx.session.get(OrderRow, ticket.id, with_for_update=True)
    if order is None or order.state in ("done", "rejected", "expired", "cancelled"):
        return ""
    order.state = "cancelled"
    approvals.withdraw_all(ctx, ticket, order, why=f"{ticket.key} was cancelled")
    ended = fulfilment.cancel_tasks(ctx, ticket)
    return f"Its open tasks were cancelled too: {', '.join(ended)}." if ended else ""
