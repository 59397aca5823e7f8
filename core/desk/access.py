"""Who may do what: agents act on any ticket; a requester on their own, for a few verbs."""

from __future__ import annotations

from core.context import Ctx
from core.desk.grammar import Args
from core.errors import NotAllowed
from core.people import is_agent
from core.storage.models import TicketRow
from core.tickets import get_ticket


def require_agent(ctx: Ctx, verb: str) -> None:
    if not is_agent(ctx.person()):
        raise NotAllowed(f"Only IT agents can use `/desk {verb}`. `/desk help` shows what you can do.")


def owned_ticket(ctx: Ctx, args: Args, verb: str) -> TicketRow:
    """The ticket named next in `args`, if the person may act on it."""
    ticket = get_ticket(ctx.session, args.key(), for_update=True)
    me = ctx.person()
    if not is_agent(me) and ticket.requester_id != me.id:
        raise NotAllowed(f"{ticket.key} is not your ticket; you can `/desk {verb}` only your own.")
    return ticket


def agent_ticket(ctx: Ctx, args: Args) -> TicketRow:
    return get_ticket(ctx.session, args.key(), for_update=True)
