"""Verbs that open tickets or look across them."""

from __future__ import annotations

from core.cards import Card, Reply
from core.context import Ctx
from core.delivery import Destination
from core.desk.grammar import Args
from core.desk.registry import VERBS, verb
from core.errors import UsageError
from core.intake import Overrides, open_ticket
from core.people import is_agent
from core.tickets import open_tickets_page
from core.views import queue_card


@verb("new", usage="new [--kind K] [--category C] [--impact N] [--urgency N] TEXT",
      examples=("new I need access to the finance share", "new --kind request --urgency 1 new laptop for Kim"),
      who="anyone")
def new(ctx: Ctx, args: Args) -> Reply:
    """Open a ticket in your own words; spoc works out the kind, category and priority unless you say."""
    chosen = args.options("kind", "category", "impact", "urgency")
    text = args.rest("description", required=True)
    overrides = Overrides.parse(chosen, categories=ctx.settings.category_names())
    ticket = open_ticket(ctx, text=text, origin=Destination(ctx.platform, ctx.channel), origin_message="",
                         overrides=overrides)
    return Reply(f"{ticket.key} opened. You will hear about it in its thread.")


@verb("mine", usage="mine [PAGE]", examples=("mine", "mine 2"), who="anyone")
def mine(ctx: Ctx, args: Args) -> Reply:
    """Your open tickets, most urgent first: assigned to you (agents) or reported by you."""
    me = ctx.person()
    page = _page_number(args)
    if is_agent(me):
        return Reply(card=queue_card("Assigned to you", open_tickets_page(ctx.session, assignee_id=me.id, page=page),
                                     empty=_empty(page, "Nothing assigned to you. `/desk queue` shows unclaimed "
                                                        "work."), command="mine"))
    return Reply(card=queue_card("Your open tickets", open_tickets_page(ctx.session, requester_id=me.id, page=page),
                                 empty=_empty(page, "You have no open tickets."), command="mine"))


@verb("queue", usage="queue [PAGE]", examples=("queue", "queue 2"))
def queue(ctx: Ctx, args: Args) -> Reply:
    """Unclaimed open tickets, most urgent first."""
    page = _page_number(args)
    return Reply(card=queue_card("Unclaimed queue", open_tickets_page(ctx.session, unassigned=True, page=page),
                                 empty=_empty(page, "The queue is empty."), command="queue"))


def _page_number(args: Args) -> int:
    word = args.optional_word()
    args.done()
    if word is None:
        return 1
    if not word.isdigit() or int(word) < 1:
        raise UsageError(f"A page is a number from 1, not {word!r}. Usage: `/desk {args.usage}`")
    return int(word)


def _empty(page: int, text: str) -> str:
    return text if page == 1 else f"Nothing on page {page}: the list is shorter. Page 1 is the first."


@verb("help", usage="help [VERB]", examples=("help", "help claim"), who="anyone")
def help_(ctx: Ctx, args: Args) -> Reply:
    """List the commands you can use, or explain one."""
    name = args.rest().lower()
    if name:
        found = VERBS.get(name)
        if found is None:
            raise UsageError(f"No command {name!r}. `/desk help` lists them all.")
        examples = "\n".join(f"  /desk {e}" for e in found.examples)
        return Reply(card=Card(title=f"/desk {found.usage}", text=f"{found.help}\n\nExamples:\n{examples}"))
    agent = is_agent(ctx.person())
    lines = [f"/desk {v.usage}: {v.summary}" for v in sorted(VERBS.values(), key=lambda v: v.name)
             if agent or v.who != "agent"]
    return Reply(card=Card(title=f"{ctx.settings.name}: commands", text="\n".join(lines),
                           footer="`/desk help VERB` explains one command with examples."))
