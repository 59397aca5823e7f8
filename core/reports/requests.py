"""Request figures of the service catalog: orders placed in the period, how long approval took, how often
orders were rejected, and how long fulfilment took per item (approved to done) and per team (a task from
opened to closed)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.reports.period import Period
from core.storage.catalog_models import OrderRow, OrderTaskRow
from core.storage.models import TicketRow

APPROVAL_MEASURED = "from order to its last approval"


@dataclass(frozen=True)
class TimeBy:
    name: str
    count: int
    wall_seconds: float | None


@dataclass(frozen=True)
class Requests:
    ordered: int
    approved: int
    rejected: int
    expired: int
    done: int
    approval: TimeBy
    fulfilment_by_item: tuple[TimeBy, ...]
    fulfilment_by_team: tuple[TimeBy, ...]

    @property
    def rejection_pct(self) -> float | None:
        decided = self.approved + self.rejected
        return round(100 * self.rejected / decided, 1) if decided else None


def requests(session: Session, *, period: Period) -> Requests:
    orders = list(session.scalars(select(OrderRow).where(OrderRow.created_at >= period.since,
                                                         OrderRow.created_at < period.until)))
    approved = [o for o in orders if o.approved_at is not None]
    by_item: dict[str, list[float]] = defaultdict(list)
    for order in approved:
        if order.done_at is not None and order.approved_at is not None:
            by_item[order.item_name].append(_seconds(order.approved_at, order.done_at))
    by_team: dict[str, list[float]] = defaultdict(list)
    for team, opened, closed in session.execute(
            select(OrderTaskRow.team, TicketRow.created_at, TicketRow.closed_at)
            .join(TicketRow, TicketRow.id == OrderTaskRow.task_id)
            .where(TicketRow.closed_at >= period.since, TicketRow.closed_at < period.until)):
        by_team[team].append(_seconds(opened, closed))
    return Requests(
        ordered=len(orders), approved=len(approved), rejected=sum(o.state == "rejected" for o in orders),
        expired=sum(o.state == "expired" for o in orders), done=sum(o.state == "done" for o in orders),
        approval=_mean(APPROVAL_MEASURED, [_seconds(o.created_at, o.approved_at) for o in approved
                                           if o.approved_at is not None]),
        fulfilment_by_item=tuple(_mean(name, times) for name, times in sorted(by_item.items())),
        fulfilment_by_team=tuple(_mean(name, times) for name, times in sorted(by_team.items())),
    )


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def _mean(name: str, seconds: list[float]) -> TimeBy:
    return TimeBy(name, len(seconds), round(sum(seconds) / len(seconds), 3) if seconds else None)
