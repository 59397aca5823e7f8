"""Verbs that move a ticket between lines of support."""

from __future__ import annotations

from core.cards import Reply
from core.commands.params import Env, Text, Word
from core.context import Ctx
from core.desk.params import REASON, TICKET
from core.desk.registry import verb
from core.sla.escalation import deescalate as hand_back
from core.sla.escalation import escalate_by_hand, is_team_or_tier, refuse_misspelt_team
from core.storage.models import TicketRow


def _teams(env: Env) -> tuple[tuple[str, str], ...]:
    return tuple((t.name, f"{t.title} (tier {t.tier})") for t in env.settings.teams)


@verb("escalate", TICKET,
      Word(name="target", required=False, shown="TEAM or TIER", ask="Which team or tier? (none: the next tier up)",
           accepts=lambda word, env: is_team_or_tier(env.settings, word), options_from=_teams),
      Text(name="reason", required=False, ask="Why?"),
      examples=("escalate INC-42", "escalate INC-42 network the core switch is down",
                "escalate INC-42 3 needs a vendor"))
def escalate(ctx: Ctx, *, ticket: TicketRow, target: str, reason: str) -> Reply:
    """Hand a ticket to a second- or third-line team: the next tier up, or the team or tier you name.
    The team sees the card in its channel (its on-call person mentioned); the requester is told who has it."""
    if not target and reason:
        first, _, rest = reason.partition(" ")
        refuse_misspelt_team(ctx, ticket, first, rest.strip())
    return Reply(escalate_by_hand(ctx, ticket, target=target, reason=reason))


@verb("deescalate", TICKET, REASON, examples=("deescalate INC-42 needs the user on site",))
def deescalate(ctx: Ctx, *, ticket: TicketRow, reason: str) -> Reply:
    """Hand a ticket back to the team that had it before its last escalation."""
    return Reply(hand_back(ctx, ticket, reason=reason))
