"""The ticket a command names."""

from __future__ import annotations

from core.context import Ctx
from core.desk.grammar import Args
from core.storage.models import TicketRow
from core.tickets import get_ticket


def named_ticket(ctx: Ctx, args: Args) -> TicketRow:
    """The ticket named next in `args`, locked for the change (the registry has checked who may act)."""
    return get_ticket(ctx.session, args.key(), for_update=True)
