"""Orders as plain data, read in a reading transaction: what a web page and the REST API show of an order
(its answers, where its approval stands, its teams' tasks) without a command running."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.catalog.views import STATE_WORDS
from core.config.catalog import CatalogSettings
from core.storage.catalog_models import OrderApprovalRow, OrderRow, OrderTaskRow
from core.storage.models import PersonRow, TicketRow

DECIDED = ("approve", "reject")
DECISION_WORDS = {"": "waiting", "approve": "approved", "reject": "rejected", "withdrawn": "withdrawn",
                  "expired": "expired", "not_needed": "not needed"}


@dataclass(frozen=True)
class Approval:
    approver: str
    step: int  # 1-based
    decision: str  # "" while waiting; approve, reject, withdrawn, expired, not_needed
    reason: str
    decided_at: datetime | None

    @property
    def words(self) -> str:
        return DECISION_WORDS.get(self.decision, self.decision.replace("_", " "))


@dataclass(frozen=True)
class Task:
    key: str
    team: str
    title: str
    status: str


@dataclass(frozen=True)
class OrderView:
    key: str
    item: str
    item_name: str
    state: str
    requester: str
    status: str
    answers: tuple[tuple[str, str, str], ...]  # field name, its label, the answer
    approvals: tuple[Approval, ...]
    tasks: tuple[Task, ...]
    created_at: datetime
    approved_at: datetime | None
    done_at: datetime | None

    @property
    def state_words(self) -> str:
        return STATE_WORDS.get(self.state, self.state.replace("_", " "))

    @property
    def waiting_for(self) -> tuple[str, ...]:
        """Whose decision the order waits for now (nobody's once it is past its approval)."""
        if self.state != "awaiting_approval":
            return ()
        return tuple(a.approver for a in self.approvals if not a.decision)

    @property
    def approval_words(self) -> str:
        """Where its approval stands, in a few words: "waiting for Mia", "approved by Mia", "rejected by Mia"."""
        if self.waiting_for:
            return "waiting for " + ", ".join(self.waiting_for)
        decided = [a for a in self.approvals if a.decision in DECIDED]
        if not decided:
            return "none needed" if not self.approvals else self.state_words
        rejected = [a.approver for a in decided if a.decision == "reject"]
        if rejected:
            return "rejected by " + ", ".join(rejected)
        return "approved by " + ", ".join(dict.fromkeys(a.approver for a in decided))


def order_view(session: Session, catalog: CatalogSettings, ticket: TicketRow) -> OrderView | None:
    """The order whose REQ ticket this is; None when the ticket is no order."""
    order = session.get(OrderRow, ticket.id)
    if order is None:
        return None
    item = catalog.item(order.item)
    labels = {f.name: f.label for f in item.fields} if item else {}
    order_of_fields = [f.name for f in item.fields] if item else list(order.answers)
    answers = tuple((name, labels.get(name, name), str(order.answers[name])) for name in
                    [*order_of_fields, *(n for n in order.answers if n not in order_of_fields)]
                    if order.answers.get(name) not in (None, ""))
    approvals = tuple(Approval(approver=name, step=row.step + 1, decision=row.decision, reason=row.reason,
                               decided_at=row.decided_at)
                      for row, name in session.execute(
                          select(OrderApprovalRow, PersonRow.display_name)
                          .join(PersonRow, PersonRow.id == OrderApprovalRow.person_id)
                          .where(OrderApprovalRow.ticket_id == ticket.id).order_by(OrderApprovalRow.id)))
    tasks = tuple(Task(key=task.key, team=row.team, title=task.title, status=task.status)
                  for task, row in session.execute(
                      select(TicketRow, OrderTaskRow).join(OrderTaskRow, OrderTaskRow.task_id == TicketRow.id)
                      .where(OrderTaskRow.order_id == ticket.id).order_by(TicketRow.id)))
    return OrderView(key=ticket.key, item=order.item, item_name=order.item_name, state=order.state,
                     requester=ticket.requester.display_name, status=ticket.status, answers=answers,
                     approvals=approvals, tasks=tasks, created_at=order.created_at, approved_at=order.approved_at,
                     done_at=order.done_at)


def order_views(session: Session, catalog: CatalogSettings, *, requester_id: int | None = None, state: str = "",
                item: str = "", limit: int = 20) -> list[OrderView]:
    """Orders newest first: of one requester, in one state, of one item, as asked."""
    query = select(TicketRow).join(OrderRow, OrderRow.ticket_id == TicketRow.id)
    if requester_id is not None:
        query = query.where(TicketRow.requester_id == requester_id)
    if state:
        query = query.where(OrderRow.state == state)
    if item:
        query = query.where(OrderRow.item == item)
    rows = session.scalars(query.order_by(TicketRow.id.desc()).limit(limit)).all()
    return [view for view in (order_view(session, catalog, t) for t in rows) if view is not None]
