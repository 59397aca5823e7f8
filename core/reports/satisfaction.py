"""How did we do? A closed ticket asks its requester for a score from 1 to 5 and an optional comment."""

from __future__ import annotations

from core.context import Ctx
from core.errors import DeskError
from core.lifecycle import Status
from core.notify import audit, tell_agents
from core.storage.models import TicketRow
from core.storage.report_models import RatingRow
from core.views import SCORES

LOW = 2  # at or below: the agents hear about it at once
WORDS = {1: "very poor", 2: "poor", 3: "okay", 4: "good", 5: "excellent"}


def rate(ctx: Ctx, ticket: TicketRow, *, score: int, comment: str) -> str:
    """Record the requester's answer (the desk lets only the requester give it); a second answer replaces
    the first."""
    me = ctx.person()
    if ticket.state is not Status.CLOSED:
        raise DeskError(f"{ticket.key} is {ticket.state.label}; you can rate it once it is closed.")
    if score not in SCORES:
        raise DeskError(f"A score is 1 to 5, e.g. `/desk rate {ticket.key} 4 quick and friendly`.")
    rating = ctx.session.get(RatingRow, ticket.id)
    old = "" if rating is None else str(rating.score)
    if rating is None:
        ctx.session.add(RatingRow(ticket_id=ticket.id, person_id=me.id, score=score, comment=comment, at=ctx.now))
    else:
        rating.score, rating.comment, rating.at = score, comment, ctx.now
    audit(ctx, ticket, "rating", field="csat", old=old, new=str(score))
    if score <= LOW:
        said = f": {comment}" if comment else "."
        tell_agents(ctx, ticket, f"{me.display_name} rated {ticket.key} {score}/5 ({WORDS[score]}){said}")
    again = " (your earlier answer is replaced)" if old else ""
    return f"Thank you: {ticket.key} rated {score}/5{again}."
