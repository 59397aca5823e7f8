"""Verbs of problems: the causes behind recurring incidents."""

from __future__ import annotations

from core.cards import Reply
from core.context import Ctx
from core.desk.access import named_ticket
from core.desk.grammar import Args
from core.desk.registry import verb
from core.errors import UsageError
from core.itsm import problems, recurring
from core.lifecycle import parse_key
from core.storage.itsm_models import RecurringClusterRow
from core.storage.models import TicketRow
from core.tickets import get_ticket


def _title_and_keys(args: Args) -> tuple[str, list[str]]:
    """`"title" INC-1 INC-2` or `title words INC-1 INC-2`: the keys are the trailing words that are keys."""
    words: list[str] = []
    while (word := args.optional_word()) is not None:
        words.append(word)
    keys: list[str] = []
    while words and "-" in words[-1] and parse_key(words[-1]) is not None:
        keys.insert(0, words.pop())
    return " ".join(words).strip(), keys


def _incidents(ctx: Ctx, keys: list[str]) -> list[TicketRow]:
    found: dict[int, TicketRow] = {}
    for key in keys:
        ticket = get_ticket(ctx.session, key, for_update=True)
        found[ticket.id] = ticket
    return list(found.values())


@verb("problem new", usage='problem new "TITLE" [INC-N ...]',
      examples=('problem new "VPN drops every hour" INC-4 INC-5 INC-6',))
def problem_new(ctx: Ctx, args: Args) -> Reply:
    """Open a problem (PRB): the cause behind recurring incidents, with the incidents it explains linked."""
    title, keys = _title_and_keys(args)
    problem = problems.new_problem(ctx, title=title, incidents=_incidents(ctx, keys))
    linked = f" with {', '.join(keys)} linked" if keys else ""
    return Reply(f"{problem.key} opened{linked}. `/desk problem workaround {problem.key} TEXT` tells their "
                 "requesters what to do meanwhile.")


@verb("problem cluster", usage="problem cluster N", examples=("problem cluster 3",))
def problem_cluster(ctx: Ctx, args: Args) -> Reply:
    """Open the problem behind a "possible problem" card (its number N): every incident on it is linked."""
    number = args.word("card number")
    cluster = ctx.session.get(RecurringClusterRow, int(number)) if number.isdigit() else None
    if cluster is None:
        raise UsageError(f"No possible-problem card {number!r}; the card's button carries its number.")
    if cluster.problem_id is not None:
        existing = ctx.session.get(TicketRow, cluster.problem_id)
        return Reply(f"{existing.key if existing else 'A problem'} already explains these incidents.")
    members = recurring.members_of(ctx, cluster)
    title = members[0].title if members else "Recurring incident"
    problem = problems.new_problem(ctx, title=title, incidents=members)
    return Reply(f"{problem.key} opened with {len(members)} incidents linked. "
                 f"`/desk problem workaround {problem.key} TEXT` tells their requesters what to do meanwhile.")


@verb("problem link", usage="problem link PRB-N INC-N [INC-N ...]", examples=("problem link PRB-7 INC-9",))
def problem_link(ctx: Ctx, args: Args) -> Reply:
    """Link incidents to a problem; a known workaround reaches their requesters."""
    problem = named_ticket(ctx, args)
    _title, keys = _title_and_keys(args)
    if not keys or _title:
        raise UsageError("Name the incidents to link by key: `/desk problem link PRB-N INC-N [INC-N ...]`")
    added = [i.key for i in _incidents(ctx, keys) if problems.link(ctx, problem, i)]
    if not added:
        return Reply(f"Already linked to {problem.key}.")
    return Reply(f"Linked to {problem.key}: {', '.join(added)}.")


@verb("problem workaround", usage="problem workaround PRB-N TEXT",
      examples=("problem workaround PRB-7 reconnect with the backup VPN profile",))
def problem_workaround(ctx: Ctx, args: Args) -> Reply:
    """Record a known error's workaround; the requesters of its open incidents get it in their threads."""
    problem = named_ticket(ctx, args)
    told = problems.set_workaround(ctx, problem, args.rest("workaround", required=True))
    return Reply(f"Workaround recorded on {problem.key}; {told} requester{'s' * (told != 1)} told.")
