from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.service import Desk
from core.storage.models import CommentRow, OutboxRow, TicketRow


def outbox(desk: Desk) -> list[OutboxRow]:
    return desk.db.run(lambda s: list(s.scalars(select(OutboxRow).order_by(OutboxRow.id))))


def outbox_texts(desk: Desk) -> list[str]:
    return [(r.card.get("title") or "") + " " + (r.card.get("text") or "") for r in outbox(desk)]


def tickets(desk: Desk) -> list[dict[str, Any]]:
    def load(session):  # type: ignore[no-untyped-def]
        return [
            {"key": t.key, "status": t.status, "kind": t.kind, "priority": t.priority, "title": t.title,
             "description": t.description, "assignee": t.assignee.display_name if t.assignee else None,
             "category": t.category}
            for t in session.scalars(select(TicketRow).order_by(TicketRow.id))
        ]

    return desk.db.run(load)


def comments(desk: Desk, key_number: int) -> list[tuple[str, bool]]:
    return desk.db.run(lambda s: [(c.body, c.internal) for c in s.scalars(
        select(CommentRow).where(CommentRow.ticket_id == key_number).order_by(CommentRow.id))])
