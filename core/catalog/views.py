"""The cards of orders: the catalog, an order as its requester and its approvers see it, and a task's
checklist. Plain words; adapters format and escape."""

from __future__ import annotations

from collections.abc import Sequence

from core.cards import Button, Card, Field
from core.config.catalog import CatalogItem
from core.storage.catalog_models import OrderRow, OrderTaskRow
from core.storage.models import TicketRow

STATE_WORDS = {
    "awaiting_approval": "awaiting approval", "waiting_for_seat": "waiting for a free seat",
    "fulfilling": "being fulfilled", "done": "done", "rejected": "rejected", "expired": "expired",
    "cancelled": "cancelled",
}


def catalog_card(items: Sequence[CatalogItem], *, title: str, empty: str) -> Card:
    if not items:
        return Card(title=title, text=empty)
    lines: list[str] = []
    for category in sorted({i.category for i in items}):
        lines.append(f"{category.capitalize()}:")
        lines += [f"  {i.slug}: {i.name}" + (" (needs approval)" if i.approval else "")
                  for i in items if i.category == category]
    return Card(title=title, text="\n".join(lines), footer="`/desk order ITEM` opens its form.",
                more_command="/desk order ITEM")


def item_card(item: CatalogItem) -> Card:
    approval = "; then ".join(step.shown for step in item.approval) or "none"
    fields = (Field("Approval", approval), Field("Teams", ", ".join(dict.fromkeys(t.team for t in item.tasks))),
              Field("Questions", ", ".join(f.label for f in item.fields) or "none"))
    return Card(title=item.name, text=item.description, fields=fields,
                buttons=(Button(f"Order: {item.name}", f"order {item.slug}", "primary", prompt=item.name),))


def answer_fields(item: CatalogItem | None, answers: dict[str, object]) -> tuple[Field, ...]:
    if item is None:
        return tuple(Field(name, str(value)) for name, value in answers.items() if value not in (None, ""))
    return tuple(Field(f.label, str(answers[f.name])) for f in item.fields if answers.get(f.name) not in (None, ""))


def order_card(ticket: TicketRow, order: OrderRow, item: CatalogItem | None, *, requester: str,
               decisions: Sequence[str] = (), tasks: Sequence[str] = (), with_state: bool = True) -> Card:
    state = (Field("State", STATE_WORDS.get(order.state, order.state)),) if with_state else ()
    fields = (Field("Requested by", requester), *state, *answer_fields(item, order.answers))
    if decisions:
        fields += (Field("Approvals", "; ".join(decisions)),)
    if tasks:
        fields += (Field("Tasks", "; ".join(tasks)),)
    return Card(title=f"{ticket.key}: {order.item_name}", fields=fields, more_command=f"/desk show {ticket.key}")


def checklist_text(task: OrderTaskRow) -> str:
    return "\n".join(f"{n}. [{'x' if done else ' '}] {text}" for n, (text, done) in enumerate(task.checklist, 1))


def working_card(ticket: TicketRow) -> Card:
    """The requester's question once every task is done."""
    return Card(title=f"{ticket.key} is done. Is it working?", text=ticket.title,
                buttons=(Button("Yes, it works", f"confirm {ticket.key}", "primary"),
                         Button("No, something is missing", f"reject {ticket.key}", "danger",
                                prompt="What is still missing?")),
                tone="success")


def offer_card(item: CatalogItem, *, key: str) -> Card:
    """Beside a free-text ticket: the catalog item it asks for, to order with the right questions."""
    return Card(title="", text=f"This can be ordered from the catalog: {item.name}. Ordering asks the right "
                               f"questions and gets it approved; {key} stays open until you do.",
                buttons=(Button(f"Order: {item.name}", f"order {item.slug}", "primary", prompt=item.name),))
