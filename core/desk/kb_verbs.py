"""Verbs of self-service and the knowledge base."""

from __future__ import annotations

from sqlalchemy import select

from core import actions
from core.cards import Button, Card, Reply
from core.commands.params import Text, Word
from core.context import Ctx
from core.desk.params import TICKET
from core.desk.permissions import ANYONE, REQUESTER_OR_AGENT
from core.desk.registry import verb
from core.errors import DeskError
from core.knowledge import FeedbackKind
from core.lifecycle import Status
from core.notify import audit, refresh_cards, tell_agents, tell_requester
from core.people import is_agent
from core.storage.models import SuggestionRow, TicketRow
from core.storage.writes import append

SLUG = Word(name="slug", what="article slug", shown="SLUG")


def _after_commit_record(ctx: Ctx, *, slug: str, kind: FeedbackKind, text: str = "") -> None:
    # The knowledge base keeps its own books; it writes once the ticket's transaction is committed.
    knowledge = ctx.deps.knowledge
    ctx.later(lambda: knowledge.record(slug=slug, kind=kind, text=text))


@verb("kb search", Text(name="text", what="search text"), examples=("kb search vpn keeps dropping",))
def kb_search(ctx: Ctx, *, text: str) -> Reply:
    """Search the knowledge base."""
    found = [s for s in ctx.deps.knowledge.search(text, limit=5) if s.score > 0]
    if not found:
        return Reply("No article matches. `/desk kb draft KEY` turns a resolved ticket into one.")
    lines = [f"{s.slug} ({s.score:.2f}): {s.title}" for s in found]
    return Reply(card=Card(title="Knowledge base", text="\n".join(lines), footer="`/desk kb show SLUG` reads one."))


@verb("kb show", SLUG, allow=ANYONE, examples=("kb show vpn-keeps-dropping",))
def kb_show(ctx: Ctx, *, slug: str) -> Reply:
    """Read a knowledge-base article."""
    article = ctx.deps.knowledge.article(slug)
    if article is None or not article.published:
        hint = "`/desk kb search TEXT` finds one." if is_agent(ctx.person()) else "`/desk new TEXT` asks IT."
        raise DeskError(f"No article {slug!r}. {hint}")
    _after_commit_record(ctx, slug=slug, kind="viewed")
    return Reply(card=Card(title=article.title, text=article.body, more_command=f"/desk kb show {slug}"))


@verb("kb send", TICKET, SLUG, examples=("kb send INC-42 reset-your-password",))
def kb_send(ctx: Ctx, *, ticket: TicketRow, slug: str) -> Reply:
    """Post an article into the requester's thread, with "This solved it" / "Not helpful"."""
    article = ctx.deps.knowledge.article(slug)
    if article is None or not article.published:
        raise DeskError(f"No article {slug!r}. `/desk kb search TEXT` finds one.")
    if ctx.session.scalar(select(SuggestionRow).where(SuggestionRow.ticket_id == ticket.id,
                                                      SuggestionRow.slug == slug)) is None:
        append(ctx.session, SuggestionRow, ticket_id=ticket.id, slug=slug, title=article.title, score=1.0)
    tell_requester(ctx, ticket, Card(
        title=f"{ctx.person().display_name} from IT suggests: {article.title}", text=article.body,
        buttons=(Button("This solved it", f"kb solved {ticket.key} {slug}", "primary"),
                 Button("Not helpful", f"kb unhelpful {ticket.key}")),
        more_command=f"/desk kb show {slug}",
    ))
    _after_commit_record(ctx, slug=slug, kind="sent")
    return Reply(f"Sent {slug} to the requester of {ticket.key}.")


@verb("kb solved", TICKET, SLUG, allow=REQUESTER_OR_AGENT, examples=("kb solved INC-42 vpn-keeps-dropping",))
def kb_solved(ctx: Ctx, *, ticket: TicketRow, slug: str) -> Reply:
    """Say a suggested article solved your problem: the ticket is resolved as self-service."""
    suggestion = ctx.session.scalar(select(SuggestionRow).where(SuggestionRow.ticket_id == ticket.id,
                                                                SuggestionRow.slug == slug))
    if suggestion is None:
        raise DeskError(f"{slug!r} was not suggested for {ticket.key}.")
    if not ticket.state.is_open:
        raise DeskError(f"{ticket.key} is already {ticket.state.label}.")
    suggestion.outcome = "solved"
    actions.resolve(ctx, ticket, f"Solved by the article {suggestion.title!r}", self_service=True)
    _after_commit_record(ctx, slug=slug, kind="solved", text=ticket.description)
    return Reply(f"Glad it's fixed. {ticket.key} is resolved (self-service).")


@verb("kb unhelpful", TICKET, allow=REQUESTER_OR_AGENT, examples=("kb unhelpful INC-42",))
def kb_unhelpful(ctx: Ctx, *, ticket: TicketRow) -> Reply:
    """Say the suggested articles did not help: the ticket stays with IT."""
    rows = ctx.session.scalars(select(SuggestionRow).where(SuggestionRow.ticket_id == ticket.id,
                                                           SuggestionRow.outcome == "")).all()
    for row in rows:
        row.outcome = "not_helpful"
        _after_commit_record(ctx, slug=row.slug, kind="not_helpful")
    if rows:  # in the trail, as every change to a ticket is: reports count the answers by the day reported
        audit(ctx, ticket, "suggestions", field="outcome", new="not_helpful")
    if ticket.state is Status.NEW or ticket.state.is_open:
        tell_agents(ctx, ticket, f"The suggested articles did not help on {ticket.key}.")
        refresh_cards(ctx, ticket)
    return Reply(f"Thanks for telling us. {ticket.key} stays with IT.", private=True)


@verb("kb draft", TICKET, examples=("kb draft INC-42",))
def kb_draft(ctx: Ctx, *, ticket: TicketRow) -> Reply:
    """Draft an unpublished article from a resolved ticket; `/desk kb publish SLUG` publishes it."""
    if ticket.state not in (Status.RESOLVED, Status.CLOSED):
        raise DeskError(f"{ticket.key} is {ticket.state.label}; draft articles from resolved tickets.")
    knowledge, key = ctx.deps.knowledge, ticket.key
    title, problem = ticket.title, ticket.description
    resolution, owner = ticket.resolution or "(describe the fix)", ctx.person().display_name

    def write_draft() -> str:
        slug = knowledge.draft(title=title, problem=problem, resolution=resolution, owner=owner)
        return f"Draft {slug} written from {key}. Review it, then `/desk kb publish {slug}`."

    ctx.later(write_draft)
    return Reply("")


@verb("kb publish", SLUG, examples=("kb publish printer-jams-on-floor-3",))
def kb_publish(ctx: Ctx, *, slug: str) -> Reply:
    """Publish a drafted article so it can be suggested."""
    knowledge = ctx.deps.knowledge

    def publish() -> str:
        if knowledge.publish(slug):
            return f"{slug} is published."
        return f"No draft {slug!r}. `/desk kb search TEXT` lists articles."

    ctx.later(publish)
    return Reply("")
