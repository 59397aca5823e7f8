"""How did we do? A closed ticket asks its requester for a score from 1 to 5 and an optional comment."""

from __future__ import annotations

from core.cards import Button, Card
from core.context import Ctx
from core.errors import DeskError, NotAllowed
from core.lifecycle import Status
from core.notify import audit, tell_agents, tell_requester
from core.storage.models import TicketRow
from core.storage.report_models import RatingRow

SCORES = range(1, 6)
LOW = 2  # at or below: the agents hear about it at once
WORDS = {1: "very poor", 2: "poor", 3: "okay", 4: "good", 5: "excellent"}


def survey_card(ticket: TicketRow) -> Card:
    key = ticket.key
    buttons = [Button(str(n), f"rate {key} {n}", "primary" if n == 5 else "default") for n in SCORES]
    buttons.append(Button("Rate with a comment", f"rate {key}", prompt="Your score from 1 to 5, then a comment"))
    return Card(
        title=f"How did we do on {key}?",
        text=f"{ticket.title}\nOne click: 1 is very poor, 5 is excellent. You can change your answer later.",
        buttons=tuple(buttons),
        more_command=f"/desk rate {key} 5 thanks, quick fix",
    )


def ask_for_rating(ctx: Ctx, ticket: TicketRow) -> None:
    """Send the survey to the requester of a ticket that has just closed."""
    tell_requester(ctx, ticket, survey_card(ticket))


def rate(ctx: Ctx, ticket: TicketRow, *, score: int, comment: str) -> str:
    """Record the requester's answer; a second answer replaces the first."""
    me = ctx.person()
    if me.id != ticket.requester_id:
        raise NotAllowed(f"Only the person who reported {ticket.key} can rate it.")
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
