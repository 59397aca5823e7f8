"""The notifications a ticket's changes cause, written to the outbox in the same transaction."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from core.cards import Card, text_card
from core.context import Ctx
from core.delivery import Destination
from core.due import first_response_target, ticket_time_zone
from core.knowledge import Suggestion
from core.link_fields import link_fields
from core.log_context import about_ticket
from core.people import identity_on
from core.storage.models import AuditRow, SuggestionRow, ThreadRow, TicketRow
from core.storage.writes import append
from core.storms import acknowledge_quietly, outpaced, show_in_storm
from core.ticket_files import files_of
from core.tickets import requester_thread
from core.views import files_field, opened_text, triage_card


def audit(ctx: Ctx, ticket: TicketRow, action: str, *, field: str = "", old: object = "", new: object = "") -> None:
    append(ctx.session, AuditRow, ticket_id=ticket.id, at=ctx.now, actor_id=ctx.actor.id if ctx.actor else None,
           action=action, field=field, old="" if old is None else str(old), new="" if new is None else str(new))
    about_ticket(ticket.key)
    observer, kind = ctx.deps.observer, ticket.kind
    ctx.later(lambda: observer.ticket_changed(action=action, kind=kind, field=field))


def _requester_user_id(ctx: Ctx, ticket: TicketRow) -> str:
    author = ctx.author
    if author is not None and ctx.actor is not None and ctx.actor.id == ticket.requester_id \
            and author.platform == ticket.origin_platform:
        return author.user_id
    return identity_on(ctx.session, ticket.requester_id, ticket.origin_platform) or ""


def requester_destination(ctx: Ctx, ticket: TicketRow) -> Destination:
    """The requester's thread (or, before it exists, their channel); directly to them as the fallback."""
    user_id = _requester_user_id(ctx, ticket)
    platform = ticket.origin_platform
    if ticket.origin_message:
        return Destination(platform, ticket.origin_channel, ticket.origin_message, fallback_user_id=user_id)
    thread = requester_thread(ctx.session, ticket)
    if thread is not None:
        return Destination(platform, thread.channel, thread.thread, fallback_user_id=user_id)
    if ticket.origin_channel:
        return Destination(platform, ticket.origin_channel, fallback_user_id=user_id)
    return Destination(platform, user_id=user_id)


def tell_requester(ctx: Ctx, ticket: TicketRow, message: str | Card) -> None:
    card = text_card(message) if isinstance(message, str) else message
    destination = requester_destination(ctx, ticket)
    audience = "requester" if not destination.thread else ""
    ctx.outbox.send(destination, card, ticket_id=ticket.id, ticket_key=ticket.key, thread_audience=audience)


def tell_agents(ctx: Ctx, ticket: TicketRow, message: str) -> None:
    """A line in the agents' thread under each triage card."""
    for route in ctx.deps.routes.triage:
        thread = _agents_thread(ctx, ticket, route)
        if thread:
            ctx.outbox.send(Destination(route.platform, route.channel, thread), text_card(message),
                            ticket_id=ticket.id, ticket_key=ticket.key)


def _agents_thread(ctx: Ctx, ticket: TicketRow, route: Destination) -> str:
    return ctx.session.scalar(
        select(ThreadRow.thread).where(
            ThreadRow.ticket_id == ticket.id, ThreadRow.audience == "agents",
            ThreadRow.platform == route.platform, ThreadRow.channel == route.channel,
        )
    ) or ""


def stored_suggestions(ctx: Ctx, ticket: TicketRow) -> list[Suggestion]:
    """In the order the requester was shown them (most likely first), then any an agent sent."""
    rows = ctx.session.scalars(
        select(SuggestionRow).where(SuggestionRow.ticket_id == ticket.id).order_by(SuggestionRow.id)
    )
    return [Suggestion(slug=r.slug, title=r.title, score=r.score) for r in rows]


def refresh_cards(ctx: Ctx, ticket: TicketRow, *, suggestions: list[Suggestion] | None = None,
                  new: bool = False, with_files: bool = False) -> None:
    """Every living card of the ticket shows its current state (edited in place once posted).
    `new`: opened in this transaction, so it has no links yet to show (and files only `with_files`)."""
    if suggestions is None:
        suggestions = stored_suggestions(ctx, ticket)
    card = triage_card(ticket, suggestions=suggestions, now=ctx.now,
                       time_zone=ticket_time_zone(ctx.settings, ticket, around=ctx.now))
    if not new:
        card = replace(card, fields=card.fields + link_fields(ctx.session, ticket))
    if with_files or not new:
        card = replace(card, fields=card.fields + files_field(files_of(ctx.session, ticket.id), key=ticket.key))
    for route in ctx.deps.routes.triage:
        if new and outpaced(ctx, route):
            show_in_storm(ctx, ticket, route)  # its own card comes when something happens to it
            continue
        ctx.outbox.send(route, card, ticket_id=ticket.id, ticket_key=ticket.key,
                        card_key=f"triage:{ticket.id}:{route.platform}:{route.channel}", thread_audience="agents")


def announce_opened(ctx: Ctx, ticket: TicketRow, *, understood: str, suggestions: list[Suggestion],
                    with_files: bool = False) -> None:
    promise = first_response_target(ctx.settings, ticket.priority)
    destination = requester_destination(ctx, ticket)
    if destination.thread and outpaced(ctx, destination):
        acknowledge_quietly(ctx, ticket, user_id=_requester_user_id(ctx, ticket))
    tell_requester(ctx, ticket, f"{opened_text(ticket, first_response=promise)} {understood}".strip())
    refresh_cards(ctx, ticket, suggestions=suggestions, new=True, with_files=with_files)
