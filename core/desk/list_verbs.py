"""Verbs that open tickets or look across them."""

from __future__ import annotations

from core.cards import Card, Reply
from core.commands.params import Choice, Number, Text, Word
from core.context import Ctx
from core.delivery import Destination
from core.desk.permissions import ANYONE, may_see
from core.desk.registry import VERBS, verb
from core.errors import UsageError
from core.intake import Overrides, open_ticket
from core.lifecycle import Kind
from core.people import is_agent
from core.tickets import open_tickets_page
from core.views import queue_card

LEVELS = ((1, "1 high"), (2, "2 medium"), (3, "3 low"))
LEVELS_LISTED = "1 (high), 2 (medium) or 3 (low)"


@verb("new",
      Choice(name="kind", option=True, required=False, shown="K", ask="Kind",
             options=(("incident", "Something is broken"), ("request", "I need something"))),
      Word(name="category", option=True, required=False, shown="C", ask="Category",
           options_from=lambda env: tuple((c, c) for c in env.settings.category_names())),
      Choice(name="impact", option=True, required=False, shown="N", ask="Who is affected", options=LEVELS,
             listed=LEVELS_LISTED),
      Choice(name="urgency", option=True, required=False, shown="N", ask="How urgent", options=LEVELS,
             listed=LEVELS_LISTED),
      Text(name="description", shown="TEXT", ask="What do you need, or what is wrong?"),
      allow=ANYONE,
      examples=("new I need access to the finance share", "new --kind request --urgency 1 new laptop for Kim"))
def new(ctx: Ctx, *, kind: str, category: str, impact: int | None, urgency: int | None, description: str) -> Reply:
    """Open a ticket in your own words; spoc works out the kind, category and priority unless you say."""
    overrides = Overrides.chosen(kind=Kind(kind) if kind else None, category=category, impact=impact,
                                 urgency=urgency, categories=ctx.settings.category_names())
    ticket = open_ticket(ctx, text=description, origin=Destination(ctx.platform, ctx.channel), origin_message="",
                         overrides=overrides)
    return Reply(f"{ticket.key} opened. You will hear about it in its thread.")


PAGE = Number(name="page", low=1, required=False)


@verb("mine", PAGE, allow=ANYONE, exact=True, examples=("mine", "mine 2"))
def mine(ctx: Ctx, *, page: int | None) -> Reply:
    """Your open tickets, most urgent first: assigned to you (agents) or reported by you."""
    me, page = ctx.person(), page or 1
    if is_agent(me):
        return Reply(card=queue_card("Assigned to you", open_tickets_page(ctx.session, assignee_id=me.id, page=page),
                                     empty=_empty(page, "Nothing assigned to you. `/desk queue` shows unclaimed "
                                                        "work."), command="mine"))
    return Reply(card=queue_card("Your open tickets", open_tickets_page(ctx.session, requester_id=me.id, page=page),
                                 empty=_empty(page, "You have no open tickets."), command="mine"))


@verb("queue", PAGE, exact=True, examples=("queue", "queue 2"))
def queue(ctx: Ctx, *, page: int | None) -> Reply:
    """Unclaimed open tickets, most urgent first."""
    page = page or 1
    return Reply(card=queue_card("Unclaimed queue", open_tickets_page(ctx.session, unassigned=True, page=page),
                                 empty=_empty(page, "The queue is empty."), command="queue"))


def _empty(page: int, text: str) -> str:
    return text if page == 1 else f"Nothing on page {page}: the list is shorter. Page 1 is the first."


@verb("help", Text(name="command", shown="VERB", required=False), allow=ANYONE, examples=("help", "help claim"))
def help_(ctx: Ctx, *, command: str) -> Reply:
    """List the commands you can use, or explain one."""
    name = command.lower()
    if name:
        found = VERBS.get(name)
        if found is None:
            raise UsageError(f"No command {name!r}. `/desk help` lists them all.")
        examples = "\n".join(f"  /desk {e}" for e in found.examples)
        return Reply(card=Card(title=f"/desk {found.usage}", text=f"{found.help}\n\nExamples:\n{examples}"))
    me = ctx.person()
    lines = [f"/desk {v.usage}: {v.summary}" for v in sorted(VERBS.values(), key=lambda v: v.name)
             if may_see(me, v.allow)]
    return Reply(card=Card(title=f"{ctx.settings.name}: commands", text="\n".join(lines),
                           footer="`/desk help VERB` explains one command with examples."))
