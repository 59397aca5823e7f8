"""What runs scheduled work: the desk, one transaction per call, with no chat person behind it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Protocol, TypeVar

from sqlalchemy.exc import IntegrityError

from core.context import Ctx

log = logging.getLogger(__name__)
T = TypeVar("T")


class SystemRunner(Protocol):
    """`Desk.run_as_system`, one transaction per call; `read_as_system` for work that only reads (and at
    most sends), without holding the write lock."""

    def run_as_system(self, work: Callable[[Ctx], T]) -> T: ...

    def read_as_system(self, work: Callable[[Ctx], T]) -> T: ...


def for_each_ticket(
    runner: SystemRunner, ticket_ids: Iterable[int], work: Callable[[Ctx, int], object],
) -> None:
    """`work` on each ticket in a transaction of its own: one failure stops neither the others nor the job.
    Work that records what it did in a unique row fails on that row when another process did it first."""
    for ticket_id in ticket_ids:
        try:
            runner.run_as_system(lambda ctx, ticket_id=ticket_id: work(ctx, ticket_id))  # type: ignore[misc]
        except IntegrityError:
            log.info("ticket id %s: another process recorded this first; nothing sent twice", ticket_id)
        except Exception:
            log.exception("scheduled work on ticket id %s failed; the next run tries again", ticket_id)
