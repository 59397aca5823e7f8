"""A chat message becomes a ticket, a comment on one, or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from rapidfuzz import fuzz
from sqlalchemy import bindparam, select

from core.actions import comment
from core.cards import text_card
from core.catalog.search import offered
from core.catalog.views import offer_card
from core.context import Ctx
from core.delivery import Destination
from core.due import update_due_dates
from core.errors import UnknownTicket, UsageError
from core.itsm.banner_replies import answer_under_banner
from core.itsm.relate import relate_new_report
from core.knowledge import Suggestion
from core.lifecycle import OPEN_STATUSES, Kind, Status
from core.messages import Inbound, InboundFile
from core.notify import announce_opened, audit, refresh_cards, tell_agents, tell_requester
from core.people import is_agent
from core.priority import priority_for
from core.storage.models import CommentRow, SuggestionRow, ThreadRow, TicketRow
from core.storage.writes import append, append_all, store_now
from core.ticket_files import keep
from core.tickets import get_ticket, ticket_for_thread
from core.triage import Understanding, service_of
from core.views import suggestions_card

SIMILARITY_SAMPLE = 2000
# Built once: every report asks it.
RECENT_OPEN_OF_REQUESTER = select(TicketRow.id, TicketRow.description).where(
    TicketRow.requester_id == bindparam("person"), TicketRow.status.in_([s.value for s in OPEN_STATUSES]),
    TicketRow.created_at >= bindparam("since"),
).order_by(TicketRow.id.desc()).limit(10)


def may_open_ticket(inbound: Inbound) -> bool:
    """Whether a message can become a new ticket: one that is no reply in a thread, in an intake channel or
    written to the desk directly, and names no ticket."""
    return (inbound.is_intake or inbound.is_direct) and not inbound.ticket_key and (
        inbound.is_direct or not inbound.thread)


def take_message(ctx: Ctx, inbound: Inbound, text: str, *, suggestions: Sequence[Suggestion] | None = None) -> None:
    """`suggestions`: the knowledge base's for `text`, when the caller asked it before the transaction."""
    addressed = _addressed_ticket(ctx, inbound.ticket_key) if inbound.ticket_key else None
    if addressed is not None:
        # Written elsewhere than in the ticket's thread: the other side has not seen it, so it is passed on.
        comment(ctx, addressed, text, echo=True)
        add_files(ctx, addressed, inbound.files)
        return
    if inbound.thread:
        found = ticket_for_thread(ctx.session, platform=inbound.platform, channel=inbound.channel,
                                  thread=inbound.thread)
        if found is not None:
            ticket, audience = found
            if audience == "requester":
                comment(ctx, ticket, text, echo=False)
            elif is_agent(ctx.person()):
                comment(ctx, ticket, text, internal=True)
            else:
                return
            add_files(ctx, ticket, inbound.files)
            return
        if not inbound.is_direct:
            answer_under_banner(ctx, platform=inbound.platform, channel=inbound.channel, thread=inbound.thread)
            return
    if inbound.is_intake or inbound.is_direct:
        duplicate = _linked_to_duplicate(ctx, inbound, text)
        if duplicate is not None:
            add_files(ctx, duplicate, inbound.files)
            return
        open_ticket(ctx, text=text, origin=Destination(inbound.platform, inbound.channel),
                    origin_message=inbound.message_id, files=inbound.files, suggestions=suggestions)


def _addressed_ticket(ctx: Ctx, key: str) -> TicketRow | None:
    """The ticket a message names, when its writer may add to it (its requester or an agent). Anyone else's
    message is taken as a report of its own: naming a ticket gives no right to it."""
    try:
        ticket = get_ticket(ctx.session, key, for_update=True)
    except UnknownTicket:
        return None
    if ticket.requester_id != ctx.person().id and not is_agent(ctx.person()):
        return None
    return ticket


def add_files(ctx: Ctx, ticket: TicketRow, files: Sequence[InboundFile]) -> None:
    """Keep the files that came with a message on an existing ticket and tell the agents about them."""
    if not files:
        return
    keep(ctx, ticket.id, files)
    shown = [f for f in files if not f.original]
    if shown:
        names = ", ".join(f.filename for f in shown)
        tell_agents(ctx, ticket, f"{ctx.person().display_name} attached {names} to {ticket.key}.")
    refresh_cards(ctx, ticket)


def _linked_to_duplicate(ctx: Ctx, inbound: Inbound, text: str) -> TicketRow | None:
    window = ctx.settings.duplicate_window_minutes
    if window <= 0:
        return None
    # Plain rows through the connection: nothing this unit of work holds unwritten is a ticket.
    recent = ctx.session.connection().execute(RECENT_OPEN_OF_REQUESTER, {
        "person": ctx.person().id, "since": ctx.now - timedelta(minutes=window)}).all()
    sample = text[:SIMILARITY_SAMPLE].lower()
    for ticket_id, description in recent:
        if fuzz.token_set_ratio(sample, description[:SIMILARITY_SAMPLE].lower()) >= ctx.settings.duplicate_similarity:
            ticket = ctx.session.get_one(TicketRow, ticket_id)
            ctx.session.add(CommentRow(ticket_id=ticket.id, author_id=ctx.person().id, body=f"Also reported: {text}",
                                       platform=inbound.platform, created_at=ctx.now))
            append(ctx.session, ThreadRow, ticket_id=ticket.id, platform=inbound.platform, channel=inbound.channel,
                   thread=inbound.message_id, audience="requester")
            audit(ctx, ticket, "linked_duplicate")
            minutes = max(1, int((ctx.now - ticket.created_at).total_seconds() // 60))
            ctx.outbox.send(
                Destination(inbound.platform, inbound.channel, inbound.message_id),
                text_card(f"This looks like {ticket.key}, which you reported {minutes} min ago; "
                                  f"I added your message to it. Replies here go to {ticket.key}."),
                ticket_id=ticket.id, ticket_key=ticket.key,
            )
            return ticket
    return None


@dataclass(frozen=True)
class Overrides:
    """What the reporter chose themselves (in a form, or with `/desk new --kind ...`)."""

    kind: Kind | None = None
    category: str | None = None
    impact: int | None = None
    urgency: int | None = None

    @classmethod
    def chosen(cls, *, kind: Kind | None, category: str, impact: int | None, urgency: int | None,
               categories: list[str]) -> Overrides:
        """What the reporter chose, once the category is known to be one of `categories`."""
        if category and category.lower() not in categories:
            raise UsageError(f"No category {category!r}. Known: {', '.join(categories)}.")
        return cls(kind=kind, category=category.lower() or None, impact=impact, urgency=urgency)

    def apply(self, understood: Understanding) -> Understanding:
        reasons = dict(understood.reasons)
        for name, chosen in (("kind", self.kind), ("category", self.category), ("impact", self.impact),
                             ("urgency", self.urgency)):
            if chosen is not None:
                shown = chosen.value if isinstance(chosen, Kind) else f"{name} {chosen}"
                reasons[name] = f"{shown}: chosen by the reporter"
        return replace(understood, kind=self.kind or understood.kind,
                       category=self.category or understood.category,
                       impact=self.impact or understood.impact, urgency=self.urgency or understood.urgency,
                       reasons=reasons)


def open_ticket(
    ctx: Ctx, *, text: str, origin: Destination, origin_message: str, overrides: Overrides = Overrides(),
    files: Sequence[InboundFile] = (), suggestions: Sequence[Suggestion] | None = None,
) -> TicketRow:
    """A new ticket for `text`. `suggestions`: the knowledge base's for `text` when already asked (ranking
    outside the write transaction holds the write lock for less); asked here otherwise."""
    rules = ctx.settings.classification
    understood = overrides.apply(ctx.deps.triage.understand(ctx.session, text))
    priority = priority_for(impact=understood.impact, urgency=understood.urgency,
                            matrix=ctx.settings.priority_matrix)
    ticket = TicketRow(
        kind=understood.kind.value, status=Status.NEW.value, title=understood.title or "(no title)",
        description=text, category=understood.category, service=service_of(understood.category, rules),
        impact=understood.impact, urgency=understood.urgency, priority=priority, triage_reasons=understood.reasons,
        requester_id=ctx.person().id, origin_platform=origin.platform, origin_channel=origin.channel,
        origin_message=origin_message, created_at=ctx.now, updated_at=ctx.now,
    )
    update_due_dates(ctx, ticket, new=True)  # the first line takes it, and its SLA clocks start
    store_now(ctx.session, ticket)
    if origin_message:
        append(ctx.session, ThreadRow, ticket_id=ticket.id, platform=origin.platform, channel=origin.channel,
               thread=origin_message, audience="requester")
    audit(ctx, ticket, "opened", field="status", new=Status.NEW.value)
    keep(ctx, ticket.id, files)
    if suggestions is None:
        suggestions = ctx.deps.knowledge.suggest(text)
    append_all(ctx.session, SuggestionRow, [{"ticket_id": ticket.id, "slug": s.slug, "title": s.title,
                                             "score": s.score} for s in suggestions])
    ctx.deps.knowledge.count_suggested(ctx.session, [s.slug for s in suggestions])
    # What follows only adds rows and reads older ones: flushing before each read would only cost time.
    with ctx.session.no_autoflush:
        announce_opened(ctx, ticket, understood="Not right? Reply in this thread and IT will correct it.",
                        suggestions=suggestions, with_files=bool(files))
        relate_new_report(ctx, ticket)
        if suggestions:
            tell_requester(ctx, ticket, suggestions_card(ticket, suggestions))
        item = offered(ctx.settings.catalog, text)
        if item is not None:
            tell_requester(ctx, ticket, offer_card(item, key=ticket.key))
    return ticket

