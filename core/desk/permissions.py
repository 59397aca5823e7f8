"""Who may run a verb: declared with the verb, checked by the registry before its handler runs.

A verb allows one or more roles: anyone; the requester of the ticket it names; agents (admins are
agents too); admins; the approvers of the change it names (`desk.change_approvers`, every admin when
the config names none); the approvers an order waits for now. A person who holds none of them gets the
verb's refusal and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from core.catalog.approvals import is_waiting_on, waiting_names
from core.context import Ctx
from core.errors import NotAllowed
from core.itsm.approval import approvers
from core.people import is_agent
from core.storage.models import PersonRow, TicketRow

Role = Literal["anyone", "requester", "agent", "admin", "approver", "order_approver"]
TICKET_ROLES: frozenset[Role] = frozenset({"requester", "approver", "order_approver"})


@dataclass(frozen=True)
class Allow:
    """The roles that may run a verb, what anyone else is told (`{verb}`, `{key}` and `{approvers}`
    are filled in), and how the reference names them."""

    roles: frozenset[Role]
    refusal: str
    words: str

    def refusing(self, refusal: str) -> Allow:
        return replace(self, refusal=refusal)

    @property
    def needs_ticket(self) -> bool:
        """Whether deciding needs the ticket the command names (its requester, or the change's key)."""
        return bool(self.roles & TICKET_ROLES)

    @property
    def staff_only(self) -> bool:
        """Only agents or admins, whatever ticket is named: help lists it to them alone."""
        return not self.roles & {"anyone", "requester", "approver", "order_approver"}


_HELP = "`/desk help` shows what you can do."
ANYONE = Allow(frozenset({"anyone"}), "", "anyone")
AGENTS = Allow(frozenset({"agent"}), f"Only IT agents can use `/desk {{verb}}`. {_HELP}", "agents")
ADMINS = Allow(frozenset({"admin"}), f"Only desk admins can use `/desk {{verb}}`. {_HELP}", "admins")
REQUESTER_OR_AGENT = Allow(frozenset({"requester", "agent"}),
                           "{key} is not your ticket; you can `/desk {verb}` only your own.",
                           "requester (own ticket) or agent")
REQUESTER = Allow(frozenset({"requester"}), "Only the person who reported {key} can use `/desk {verb}` on it.",
                  "requester (own ticket)")
ORDER_APPROVERS = Allow(frozenset({"order_approver"}),
                        "{key} is not waiting for your approval (it waits for: {approvers}).",
                        "the approvers the order waits for")
APPROVERS = Allow(frozenset({"approver"}), "Only the change approvers ({approvers}) can approve or reject {key}.",
                  "change approvers")


def holds(ctx: Ctx, allow: Allow, *, ticket: TicketRow | None) -> bool:
    me = ctx.person()
    roles = allow.roles
    return ("anyone" in roles
            or ("admin" in roles and me.role == "admin")
            or ("agent" in roles and is_agent(me))
            or ("requester" in roles and ticket is not None and ticket.requester_id == me.id)
            or ("approver" in roles and _is_approver(ctx, me))
            or ("order_approver" in roles and ticket is not None and is_waiting_on(ctx, ticket, me)))


def _is_approver(ctx: Ctx, me: PersonRow) -> bool:
    return me.id in {p.id for p in approvers(ctx)}


def check(ctx: Ctx, allow: Allow, *, verb: str, ticket: TicketRow | None) -> None:
    """Refuse (NotAllowed, with the verb's refusal) unless the person acting holds one of its roles."""
    if holds(ctx, allow, ticket=ticket):
        return
    names = ", ".join(p.display_name for p in approvers(ctx)) if "approver" in allow.roles else ""
    if "order_approver" in allow.roles and ticket is not None:
        waiting = waiting_names(ctx, ticket)
        names = waiting or "no one: it is not awaiting approval"
        if waiting and ticket.requester_id == ctx.person().id:
            raise NotAllowed(f"Nobody approves their own request: {ticket.key} waits for {names}.")
    raise NotAllowed(allow.refusal.format(verb=verb, key=ticket.key if ticket else "", approvers=names or "nobody"))


def may_see(person: PersonRow, allow: Allow) -> bool:
    """Whether `/desk help` lists a verb to this person."""
    return not allow.staff_only or ("admin" in allow.roles and person.role == "admin") \
        or ("agent" in allow.roles and is_agent(person))
