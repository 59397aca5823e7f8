"""Verbs of the service catalog: ordering, approving, and working an order's tasks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.cards import Card, Reply
from core.catalog import approvals, fulfilment, orders, seats
from core.catalog.form import item_params
from core.catalog.search import search
from core.catalog.views import STATE_WORDS, catalog_card, item_card, order_card
from core.commands.params import Day, Text, TicketKey, Word
from core.context import Ctx
from core.desk.permissions import ANYONE, ORDER_APPROVERS, Allow
from core.desk.registry import verb
from core.desk.run import desk_env
from core.errors import DeskError
from core.people import is_agent
from core.person_lookup import one_person
from core.storage.catalog_models import OrderApprovalRow, OrderRow, OrderTaskRow
from core.storage.models import PersonRow, TicketRow
from core.teams import team_named

ORDER = TicketKey(name="ticket", what="order key (like REQ-43)", shown="REQ-N")
TASK = TicketKey(name="ticket", what="task key (like TSK-44)", shown="TSK-N")
ORDER_READERS = Allow(frozenset({"requester", "agent", "order_approver"}),
                      "{key} is not your order; you can see only your own (or one waiting for your approval).",
                      "requester (own order), its approvers or agents")


@verb("order", Word(name="item", required=False, shown="ITEM", ask="Item"), allow=ANYONE, more=item_params,
      opens_form=True, examples=("order", "order vpn", "order vpn-access --reason \"travelling for a month\""))
def order(ctx: Ctx, *, item: str, answers: dict[str, object]) -> Reply:
    """Order from the service catalog. Without an item: the catalog; with a word: the items matching it;
    with an item: its form (in chat a form opens; on a line each question is an option, `--reason TEXT`)."""
    catalog = ctx.settings.catalog
    visible = catalog.visible_to(agent=is_agent(ctx.person()))
    if not item:
        return Reply(card=catalog_card(visible, title="Service catalog", empty="The catalog is empty."))
    chosen = catalog.item(item)
    if chosen is None or chosen not in visible:
        found = [i for i in search(catalog, item) if i in visible]
        if len(found) == 1:
            return Reply(card=item_card(found[0]))
        if not found:
            return Reply(f"No catalog item matches {item!r}. `/desk order` lists them all; or describe what "
                         "you need in your own words and IT will help.", outcome="refused")
        return Reply(card=catalog_card(found, title=f"Items matching {item!r}", empty=""))
    ticket, told = orders.place(ctx, chosen, answers)
    return Reply(told)


@verb("order approve", ORDER, allow=ORDER_APPROVERS, exact=True, examples=("order approve REQ-43",))
def order_approve(ctx: Ctx, *, ticket: TicketRow) -> Reply:
    """Approve an order waiting for you (the twin of its "Approve" button)."""
    return Reply(approvals.approve(ctx, ticket, orders.get_order(ctx, ticket)))


@verb("order reject", ORDER, Text(name="reason", ask="Why reject it?",
                                  missing="Say why, so the requester knows: `/desk order reject {ticket} REASON`."),
      allow=ORDER_APPROVERS, examples=("order reject REQ-43 not needed for this role",))
def order_reject(ctx: Ctx, *, ticket: TicketRow, reason: str) -> Reply:
    """Reject an order waiting for you, with a reason the requester is shown."""
    return Reply(approvals.reject(ctx, ticket, orders.get_order(ctx, ticket), reason))


@verb("order show", ORDER, allow=ORDER_READERS, examples=("order show REQ-43",))
def order_show(ctx: Ctx, *, ticket: TicketRow) -> Reply:
    """An order with its answers, approvals and tasks."""
    found = orders.get_order(ctx, ticket)
    requester = ctx.session.get_one(PersonRow, ticket.requester_id).display_name
    tasks = [f"{t.key} {t.team}: {t.status.replace('_', ' ')}" for t in fulfilment.tasks_of(ctx, ticket)]
    waiting = approvals.waiting_names(ctx, ticket)
    decided = approvals.decisions(ctx, ticket) + ([f"waiting for {waiting}"] if waiting else [])
    return Reply(card=order_card(ticket, found, ctx.settings.catalog.item(found.item), requester=requester,
                                 decisions=decided, tasks=tasks))


@verb("orders", allow=ANYONE, examples=("orders",))
def orders_(ctx: Ctx) -> Reply:
    """Your orders, newest first, and the orders waiting for your approval."""
    me = ctx.person()
    lines = [f"{t.key} {o.item_name}: {STATE_WORDS.get(o.state, o.state)}" for t, o in orders.orders_of(ctx, me.id)]
    waiting = ctx.session.execute(select(TicketRow, OrderRow).join(OrderRow, OrderRow.ticket_id == TicketRow.id)
                                  .join(OrderApprovalRow, OrderApprovalRow.ticket_id == TicketRow.id)
                                  .where(OrderApprovalRow.person_id == me.id, OrderApprovalRow.decision == "",
                                         OrderRow.state == "awaiting_approval").order_by(TicketRow.id)).all()
    if waiting:
        lines += ["", "Waiting for your approval:"] + [f"{t.key} {o.item_name} (`/desk order approve {t.key}`)"
                                                       for t, o in waiting]
    return Reply(card=Card(title="Your orders", text="\n".join(lines) or "You have ordered nothing yet. "
                           "`/desk order` shows the catalog."))


@verb("check", TASK, Text(name="items", shown="N|all", ask="Which items are done (numbers, or all)?"),
      examples=("check TSK-44 1", "check TSK-44 all"))
def check(ctx: Ctx, *, ticket: TicketRow, items: str) -> Reply:
    """Tick items of a task's checklist as done."""
    return Reply(fulfilment.check(ctx, ticket, items))


@verb("tasks", Word(name="team", required=False, shown="TEAM", ask="Team"), examples=("tasks", "tasks network"))
def tasks(ctx: Ctx, *, team: str) -> Reply:
    """Open fulfilment tasks, of one team or all, the oldest first."""
    if team and team_named(ctx.settings, team) is None:
        raise DeskError(f"No team {team!r}. Teams: {', '.join(t.name for t in ctx.settings.teams)}.")
    query = (select(TicketRow, OrderTaskRow).join(OrderTaskRow, OrderTaskRow.task_id == TicketRow.id)
             .where(TicketRow.status.in_(("new", "in_progress", "on_hold"))).order_by(TicketRow.id).limit(50))
    if team:
        query = query.where(OrderTaskRow.team == team_named(ctx.settings, team).name)  # type: ignore[union-attr]
    lines = []
    for task, row in ctx.session.execute(query).all():
        done = sum(1 for _t, d in row.checklist if d)
        lines.append(f"{task.key} {row.team}: {task.title} ({done}/{len(row.checklist)} checked, "
                     f"{task.status.replace('_', ' ')})")
    return Reply(card=Card(title="Open tasks" + (f" of {team}" if team else ""),
                           text="\n".join(lines) or "No open task."))


@verb("licences", examples=("licences",))
def licences(ctx: Ctx) -> Reply:
    """Seats of each licence: taken, free, and orders waiting for one."""
    names = sorted({i.licence.name: i.licence for i in ctx.settings.catalog.items if i.licence}.items())
    lines = [f"{name}: {seats.used(ctx, name)} of {lic.seats} taken, {seats.free(ctx, lic)} free"
             for name, lic in names]
    return Reply(card=Card(title="Licences", text="\n".join(lines) or "No item of the catalog counts seats."))


@verb("licence release", Word(name="licence", shown="NAME", ask="Licence"),
      Text(name="person", many_lines=False, shown="PERSON", ask="Whose seat (@mention, e-mail or name)?"),
      examples=("licence release software @kim",))
def licence_release(ctx: Ctx, *, licence: str, person: str) -> Reply:
    """Give a person's seat of a licence back; the order waiting longest for one takes it."""
    found = seats.licence_named(ctx, licence)
    if found is None:
        raise DeskError(f"No licence {licence!r}. `/desk licences` lists them.")
    holder = one_person(ctx.session, person, platform=ctx.platform, any_name=True,
                        example=f"/desk licence release {licence} @kim")
    if seats.release(ctx, licence=found.name, person_id=holder.id) is None:
        raise DeskError(f"{holder.display_name} holds no {found.name} seat.")
    text = f"{holder.display_name}'s {found.name} seat is free."
    waiting = seats.next_waiting(ctx, found.name)
    if waiting is not None:
        request = ctx.session.get_one(TicketRow, waiting.ticket_id)
        fulfilment.start(ctx, request, waiting, why="a seat was freed")
        text += f" {request.key} was waiting for one and takes it."
    return Reply(text)


@verb("away", Day(name="until", marker="until", required=False, ask="Away until (YYYY-MM-DD)"),
      Text(name="delegate", option=True, required=False, many_lines=False, shown="PERSON",
           ask="Who approves for you meanwhile?"), allow=ANYONE,
      examples=("away until 2026-12-24 --delegate @lee", "away"))
def away(ctx: Ctx, *, until: date | None, delegate: str) -> Reply:
    """Say you are away until a date; your delegate approves orders for you meanwhile (and is asked instead of
    you). `/desk away` alone says you are back."""
    found = one_person(ctx.session, delegate, platform=ctx.platform, any_name=True,
                       example="/desk away until 2026-12-24 --delegate @lee") if delegate else None
    env = desk_env(ctx.settings, now=ctx.now)
    if until is not None and until < (env.today or until):
        raise DeskError(f"{until.isoformat()} is in the past: give your last day away.")
    back = until + timedelta(days=1) if until else None  # away through the whole of that day
    at = datetime.combine(back, time(0), tzinfo=ZoneInfo(env.zone)) if back else None
    return Reply(approvals.set_away(ctx, until=at.astimezone(UTC) if at else None, delegate=found))
