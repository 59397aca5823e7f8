"""Verbs of problems: the causes behind recurring incidents."""

from __future__ import annotations

from core.cards import Reply
from core.commands.params import Keys, Text, TicketKey, Word
from core.context import Ctx
from core.desk.registry import verb
from core.errors import UsageError
from core.itsm import problems, recurring
from core.storage.itsm_models import RecurringClusterRow
from core.storage.models import TicketRow
from core.tickets import get_ticket

PROBLEM = TicketKey(name="problem", what="problem key (like PRB-7)", shown="PRB-N")
LINK_BY_KEY = "Name the incidents to link by key: `/desk problem link PRB-N INC-N [INC-N ...]`"


def _incidents(ctx: Ctx, keys: tuple[str, ...]) -> list[TicketRow]:
    found: dict[int, TicketRow] = {}
    for key in keys:
        ticket = get_ticket(ctx.session, key, for_update=True)
        found[ticket.id] = ticket
    return list(found.values())


@verb("problem new", Text(name="title", shown='"TITLE"', many_lines=False,
                          missing='Name the problem, e.g. `/desk problem new "VPN drops every hour" INC-4 INC-5`.'),
      Keys(name="incidents", required=False, what="the incidents it explains"),
      examples=('problem new "VPN drops every hour" INC-4 INC-5 INC-6',))
def problem_new(ctx: Ctx, *, title: str, incidents: tuple[str, ...]) -> Reply:
    """Open a problem (PRB): the cause behind recurring incidents, with the incidents it explains linked."""
    problem = problems.new_problem(ctx, title=title, incidents=_incidents(ctx, incidents))
    linked = f" with {', '.join(incidents)} linked" if incidents else ""
    return Reply(f"{problem.key} opened{linked}. `/desk problem workaround {problem.key} TEXT` tells their "
                 "requesters what to do meanwhile.")


@verb("problem cluster", Word(name="card", what="card number", shown="N"), examples=("problem cluster 3",))
def problem_cluster(ctx: Ctx, *, card: str) -> Reply:
    """Open the problem behind a "possible problem" card (its number N): every incident on it is linked."""
    cluster = ctx.session.get(RecurringClusterRow, int(card)) if card.isdigit() else None
    if cluster is None:
        raise UsageError(f"No possible-problem card {card!r}; the card's button carries its number.")
    if cluster.problem_id is not None:
        existing = ctx.session.get(TicketRow, cluster.problem_id)
        return Reply(f"{existing.key if existing else 'A problem'} already explains these incidents.")
    members = recurring.members_of(ctx, cluster)
    title = members[0].title if members else "Recurring incident"
    problem = problems.new_problem(ctx, title=title, incidents=members)
    return Reply(f"{problem.key} opened with {len(members)} incidents linked. "
                 f"`/desk problem workaround {problem.key} TEXT` tells their requesters what to do meanwhile.")


@verb("problem link", PROBLEM,
      Keys(name="incidents", what="the incidents to link", shown="INC-N [INC-N ...]", missing=LINK_BY_KEY),
      examples=("problem link PRB-7 INC-9",))
def problem_link(ctx: Ctx, *, problem: TicketRow, incidents: tuple[str, ...]) -> Reply:
    """Link incidents to a problem; a known workaround reaches their requesters."""
    added = [i.key for i in _incidents(ctx, incidents) if problems.link(ctx, problem, i)]
    if not added:
        return Reply(f"Already linked to {problem.key}.")
    return Reply(f"Linked to {problem.key}: {', '.join(added)}.")


@verb("problem workaround", PROBLEM, Text(name="workaround", shown="TEXT"),
      examples=("problem workaround PRB-7 reconnect with the backup VPN profile",))
def problem_workaround(ctx: Ctx, *, problem: TicketRow, workaround: str) -> Reply:
    """Record a known error's workaround; the requesters of its open incidents get it in their threads."""
    told = problems.set_workaround(ctx, problem, workaround)
    return Reply(f"Workaround recorded on {problem.key}; {told} requester{'s' * (told != 1)} told.")
