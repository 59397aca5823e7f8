"""What a new report has to do with what IT already knows."""

from __future__ import annotations

from core.context import Ctx
from core.itsm.outages import link_report
from core.itsm.recurring import watch_for_recurrence
from core.storage.models import TicketRow


def relate_new_report(ctx: Ctx, ticket: TicketRow) -> None:
    """A known issue when its service has an active outage; else perhaps one more of a recurring kind."""
    if link_report(ctx, ticket) is None:
        watch_for_recurrence(ctx, ticket)
