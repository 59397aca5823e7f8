"""Fulfilment: an approved order becomes one task per team (a TSK ticket each, with its own checklist, team
and SLA), worked with the same `/desk` verbs as any ticket. When its last task is done the order is
resolved and its requester asked whether it works. A task bound to a date of the form (a leaver's last day)
waits on hold until that day. Tasks speak to the requester through their order's thread."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from core.actions import move
from core.cards import Card
from core.catalog import seats
from core.catalog.form import summary
from core.catalog.views import checklist_text, working_card
from core.config.catalog import CatalogItem, TaskTemplate
from core.context import Ctx
from core.due import local_day_start, update_due_dates
from core.errors import DeskError
from core.lifecycle import Kind, Status
from core.notify import audit, refresh_cards, tell_requester
from core.storage.catalog_models import OrderRow, OrderTaskRow
from core.storage.models import PersonRow, TicketRow
from core.storage.writes import store_now
from core.team_reach import team_channels
from core.teams import first_line, team_named

FULFILLING, DONE, WAITING_FOR_SEAT = "fulfilling", "done", "waiting_for_seat"
LEVELS = {"P1": (1, 1), "P2": (1, 2), "P3": (2, 2), "P4": (3, 3)}


def start(ctx: Ctx, ticket: TicketRow, order: OrderRow, *, why: str) -> str:
    """The order is approved: a seat is taken if its item is licensed, then its tasks are opened."""
    item = ctx.settings.catalog.item(order.item)
    if item is not None and item.licence is not None and not seats.take(
            ctx, licence=item.licence, ticket_id=ticket.id, person_id=ticket.requester_id):
        order.state = WAITING_FOR_SEAT
        audit(ctx, ticket, "waiting_for_seat", field="licence", new=item.licence.name)
        move(ctx, ticket, Status.ON_HOLD)
        ticket.hold_reason = f"waiting for a free {item.licence.name} seat"
        text = (f"{ticket.key} is approved ({why}), but no {item.licence.name} seat is free (all "
                f"{item.licence.seats} are taken); it waits for one and you will be told.")
        tell_requester(ctx, ticket, text)
        refresh_cards(ctx, ticket)
        return text
    order.state = FULFILLING
    templates = item.tasks if item is not None else (TaskTemplate(team="", title=f"Fulfil {order.item_name}"),)
    keys = [open_task(ctx, ticket, order, item, template) for template in templates]
    if ticket.state is Status.ON_HOLD:
        move(ctx, ticket, Status.IN_PROGRESS)
    text = f"{ticket.key} is approved ({why}). The work: {', '.join(keys)}."
    tell_requester(ctx, ticket, text)
    refresh_cards(ctx, ticket)
    return text


def open_task(ctx: Ctx, ticket: TicketRow, order: OrderRow, item: CatalogItem | None,
              template: TaskTemplate) -> str:
    team = team_named(ctx.settings, template.team) or first_line(ctx.settings, ticket.category)
    requester = ctx.session.get_one(PersonRow, ticket.requester_id)
    priority = template.priority or ticket.priority
    impact, urgency = LEVELS[priority]
    checklist = [[text, False] for text in template.checklist]
    body = summary(item, order.answers) if item is not None else ""
    task = TicketRow(
        kind=Kind.TASK.value, status=Status.NEW.value,
        title=f"{template.title}: {order.item_name} for {requester.display_name} ({ticket.key})"[:300],
        description="\n\n".join(part for part in (body, "\n".join(f"- {t}" for t in template.checklist)) if part),
        category=ticket.category, service="", impact=impact, urgency=urgency, priority=priority,
        requester_id=ticket.requester_id, origin_platform="", origin_channel="", origin_message="",
        team=team.name if team else "", tier=team.tier if team else 1, created_at=ctx.now, updated_at=ctx.now,
        triage_reasons={"kind": f"a task of {ticket.key}"},
    )
    update_due_dates(ctx, task, new=True)
    store_now(ctx.session, task)
    starts_at = _start_of(ctx, task, order, template)
    row = OrderTaskRow(task_id=task.id, order_id=ticket.id, team=task.team, checklist=checklist,
                       starts_at=starts_at, started=starts_at is None)
    ctx.session.add(row)
    audit(ctx, task, "opened", field="status", new=Status.NEW.value)
    audit(ctx, ticket, "task_opened", field="task", new=f"{task.key} ({task.team})")
    shown = f"{task.key} ({team.title if team else 'IT'}: {template.title})"
    if starts_at is not None:
        move(ctx, task, Status.IN_PROGRESS)
        move(ctx, task, Status.ON_HOLD)
        task.hold_until, task.hold_reason = starts_at, f"scheduled for {starts_at.date().isoformat()}"
        shown += f" on {order.answers.get(template.on_field)}"
    refresh_cards(ctx, task, new=True)
    if team is not None and team.channels:
        for place in team_channels(ctx, team):
            ctx.outbox.send(place, Card(title=f"New task for {team.title}: {task.key}", text=task.title,
                                        footer=f"`/desk claim {task.key}`"), ticket_id=task.id, ticket_key=task.key)
    return shown


def _start_of(ctx: Ctx, task: TicketRow, order: OrderRow, template: TaskTemplate) -> datetime | None:
    if not template.on_field or not order.answers.get(template.on_field):
        return None
    day = date.fromisoformat(str(order.answers[template.on_field]))
    at = local_day_start(ctx.settings, task, day, around=ctx.now)
    return at if at > ctx.now else None


def task_of(ctx: Ctx, ticket: TicketRow) -> OrderTaskRow:
    row = ctx.session.get(OrderTaskRow, ticket.id, with_for_update=True)
    if row is None:
        raise DeskError(f"{ticket.key} is not a task of an order.")
    return row


def check(ctx: Ctx, task: TicketRow, which: str) -> str:
    """Tick checklist items: a number, several (`1 3`), or `all`."""
    row = task_of(ctx, task)
    items = [list(item) for item in row.checklist]
    if not items:
        return f"{task.key} has no checklist."
    words = which.replace(",", " ").split()
    numbers = list(range(1, len(items) + 1)) if [w.lower() for w in words] == ["all"] else []
    if not numbers:
        for word in words:
            if not word.isdigit() or not 1 <= int(word) <= len(items):
                raise DeskError(f"{word!r} is not an item of {task.key}'s checklist: give a number from 1 to "
                                f"{len(items)}, or all.")
            numbers.append(int(word))
    for number in numbers:
        if not items[number - 1][1]:
            items[number - 1][1] = True
            audit(ctx, task, "checked", field="checklist", new=items[number - 1][0])
    row.checklist = items
    task.updated_at = ctx.now
    refresh_cards(ctx, task)
    left = sum(1 for _text, done in items if not done)
    then = f"{left} to go." if left else f"All done: `/desk resolve {task.key}` when the work is finished."
    return f"{task.key}:\n{checklist_text(row)}\n{then}"


def task_done(ctx: Ctx, task: TicketRow, resolution: str) -> str:
    """A task is finished: it closes (a task asks nobody to confirm), and its order is resolved when it was
    the last one."""
    row = task_of(ctx, task)
    left = [text for text, done in row.checklist if not done]
    if left:
        raise DeskError(f"{task.key} still has {len(left)} unchecked item(s): {'; '.join(left)}. "
                        f"`/desk check {task.key} all` (or a number) first.")
    if task.assignee_id is None:
        me = ctx.person()
        task.assignee, task.assignee_id = me, me.id
        audit(ctx, task, "assign", field="assignee", new=me.display_name)
    move(ctx, task, Status.RESOLVED)
    task.resolution = resolution or "Done."
    move(ctx, task, Status.CLOSED)
    refresh_cards(ctx, task)
    return _after_task(ctx, task, row, what="done")


def task_cancelled(ctx: Ctx, task: TicketRow) -> str:
    """A task was cancelled: its order goes on without it (and is resolved if it was the last one open)."""
    row = ctx.session.get(OrderTaskRow, task.id, with_for_update=True)
    return _after_task(ctx, task, row, what="cancelled") if row is not None else ""


def refuse_with_open_tasks(ctx: Ctx, request: TicketRow) -> None:
    """An order is resolved by its tasks, not by hand while any is open."""
    open_ = [t.key for t in tasks_of(ctx, request) if t.state.is_open]
    if open_:
        raise DeskError(f"{request.key} is resolved when its tasks are done; still open: {', '.join(open_)}.")


def _after_task(ctx: Ctx, task: TicketRow, row: OrderTaskRow, *, what: str) -> str:
    order = ctx.session.get(OrderRow, row.order_id, with_for_update=True)
    request = ctx.session.get(TicketRow, row.order_id, with_for_update=True)
    if order is None or request is None:
        return f"{task.key} {what}."
    audit(ctx, request, f"task_{what}", field="task", new=task.key)
    tasks = tasks_of(ctx, request)
    finished = [t for t in tasks if not t.state.is_open]
    tell_requester(ctx, request, f"{task.key} is {what} ({len(finished)} of {len(tasks)} tasks finished).")
    if len(finished) < len(tasks) or not request.state.is_open:
        return f"{task.key} {what}; {len(tasks) - len(finished)} task(s) of {request.key} still open."
    order.state, order.done_at = DONE, ctx.now
    request.resolution = "Fulfilled: " + ", ".join(t.key for t in tasks)
    if request.state is Status.ON_HOLD:
        move(ctx, request, Status.IN_PROGRESS)
    move(ctx, request, Status.RESOLVED)
    tell_requester(ctx, request, working_card(request))
    refresh_cards(ctx, request)
    return (f"{task.key} {what}; it was the last task, so {request.key} is resolved and its requester asked to "
            "confirm.")


def tasks_of(ctx: Ctx, request: TicketRow) -> list[TicketRow]:
    return list(ctx.session.scalars(select(TicketRow).join(OrderTaskRow, OrderTaskRow.task_id == TicketRow.id)
                                    .where(OrderTaskRow.order_id == request.id).order_by(TicketRow.id)))


def start_scheduled(ctx: Ctx, task_id: int) -> None:
    """A task's day has come: it comes off hold and its team is told."""
    row = ctx.session.get(OrderTaskRow, task_id, with_for_update=True)
    task = ctx.session.get(TicketRow, task_id, with_for_update=True)
    if row is None or task is None or row.started or row.starts_at is None or row.starts_at > ctx.now:
        return
    row.started = True
    if task.state is Status.ON_HOLD:
        move(ctx, task, Status.IN_PROGRESS)
    audit(ctx, task, "scheduled_start", field="status", new="its day has come")
    refresh_cards(ctx, task)


def cancel_tasks(ctx: Ctx, request: TicketRow) -> list[str]:
    ended = []
    for task in tasks_of(ctx, request):
        if task.state.is_open:
            move(ctx, task, Status.CANCELLED)
            task.resolution = f"{request.key} was cancelled"
            refresh_cards(ctx, task)
            ended.append(task.key)
    return ended
