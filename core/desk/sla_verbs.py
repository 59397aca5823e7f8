"""Verbs that move a ticket between lines of support."""

from __future__ import annotations

from core.cards import Reply
from core.context import Ctx
from core.desk.access import agent_ticket
from core.desk.grammar import Args
from core.desk.registry import verb
from core.sla.escalation import deescalate as hand_back
from core.sla.escalation import escalate_by_hand, is_team_or_tier, refuse_misspelt_team


@verb("escalate", usage="escalate KEY [TEAM or TIER] [REASON]",
      examples=("escalate INC-42", "escalate INC-42 network the core switch is down",
                "escalate INC-42 3 needs a vendor"))
def escalate(ctx: Ctx, args: Args) -> Reply:
    """Hand a ticket to a second- or third-line team: the next tier up, or the team or tier you name.
    The team sees the card in its channel (its on-call person mentioned); the requester is told who has it."""
    ticket = agent_ticket(ctx, args)
    first = args.peek()
    target = args.word() if first is not None and is_team_or_tier(ctx, first) else ""
    reason = args.rest()
    if not target and first is not None:
        refuse_misspelt_team(ctx, ticket, first, reason.removeprefix(first).strip())
    return Reply(escalate_by_hand(ctx, ticket, target=target, reason=reason))


@verb("deescalate", usage="deescalate KEY [REASON]", examples=("deescalate INC-42 needs the user on site",))
def deescalate(ctx: Ctx, args: Args) -> Reply:
    """Hand a ticket back to the team that had it before its last escalation."""
    ticket = agent_ticket(ctx, args)
    return Reply(hand_back(ctx, ticket, reason=args.rest()))
