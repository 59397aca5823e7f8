"""Recurring incidents: when enough similar incidents arrive close together, agents get one "possible
problem" card with a button that opens the problem and links them all."""

from __future__ import annotations

import logging
from datetime import timedelta

from rapidfuzz import fuzz, process
from sqlalchemy import bindparam, exists, func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from core.cards import Button, Card
from core.context import Ctx
from core.lifecycle import Kind, format_key
from core.storage.itsm_models import OutageTicketRow, ProblemLinkRow, RecurringClusterRow, RecurringMemberRow
from core.storage.models import PersonRow, TicketRow
from core.storage.writes import append, append_all, append_unless_taken

log = logging.getLogger(__name__)
CANDIDATES = 100
CLUSTER_ATTEMPTS = 3
SHOWN = 15
# Built once: every new incident asks the first, every one that joins a cluster the second.
RECENT_UNEXPLAINED = (
    select(TicketRow.id, TicketRow.title, RecurringMemberRow.cluster_id, RecurringClusterRow.problem_id)
    .outerjoin(RecurringMemberRow, RecurringMemberRow.ticket_id == TicketRow.id)
    .outerjoin(RecurringClusterRow, RecurringClusterRow.id == RecurringMemberRow.cluster_id)
    .where(
        TicketRow.kind == Kind.INCIDENT.value, TicketRow.category == bindparam("category"),
        TicketRow.id != bindparam("ticket"), TicketRow.created_at >= bindparam("since"),
        ~or_(exists().where(ProblemLinkRow.incident_id == TicketRow.id),
             exists().where(OutageTicketRow.ticket_id == TicketRow.id)),
    )
    .order_by(TicketRow.created_at.desc()).limit(CANDIDATES)
)
# The newest members straight from the cluster's index, and the count apart: a window count over all of
# them would make each join cost more as the cluster grows.
NEWEST_MEMBERS = (
    select(TicketRow.id, TicketRow.kind, TicketRow.title, PersonRow.display_name)
    .select_from(RecurringMemberRow)
    .join(TicketRow, TicketRow.id == RecurringMemberRow.ticket_id)
    .join(PersonRow, PersonRow.id == TicketRow.requester_id)
    .where(RecurringMemberRow.cluster_id == bindparam("cluster"))
    .order_by(RecurringMemberRow.ticket_id.desc()).limit(SHOWN)
)
MEMBER_COUNT = select(func.count()).select_from(RecurringMemberRow).where(
    RecurringMemberRow.cluster_id == bindparam("cluster"))


def watch_for_recurrence(ctx: Ctx, ticket: TicketRow) -> int | None:
    """Put a new incident in the cluster of its similar recent incidents, making the cluster (and sending
    its card, once) when there are enough of them. Returns the cluster's id.

    Workers taking reports of one storm at once may each decide to make the same cluster, or clusters that
    share incidents: the one that stores it first wins, and the others look again, this time seeing it, and
    join it. An incident alike to a cluster is never left out of it."""
    rules = ctx.settings.recurring_incidents
    if rules.count < 2 or ticket.kind != Kind.INCIDENT.value:
        return None
    for attempt in range(1, CLUSTER_ATTEMPTS + 1):
        try:
            return _place(ctx, ticket)
        except _TakenMeanwhile as taken:
            if attempt == CLUSTER_ATTEMPTS:  # the whole unit of work runs again (core/service.py)
                raise taken.conflict from None
            log.info("%s: another worker made a cluster of its incidents first; looking again", ticket.key)
    raise AssertionError("unreachable")


def _place(ctx: Ctx, ticket: TicketRow) -> int | None:
    rules = ctx.settings.recurring_incidents
    candidates, clusters = _recent_unexplained(ctx, ticket)
    direct = _alike(ticket.title.lower(), candidates, similarity=rules.similarity)
    if not direct:
        return None
    similar = _chain(direct, candidates, similarity=rules.similarity)
    # The most alike incident that is in a cluster decides which one the new incident joins; failing
    # that, the first one the chain of alike reports reaches.
    joined = next((clusters[i] for i in [*direct, *similar] if i in clusters), None)
    if joined is not None:
        cluster_id, problem_id = joined
        if problem_id is not None:
            return None
        append(ctx.session, RecurringMemberRow, ticket_id=ticket.id, cluster_id=cluster_id)
        for member_id in similar:  # the chain's incidents are of its kind too
            if member_id not in clusters:
                append_unless_taken(ctx.session, RecurringMemberRow, unique=("ticket_id",), ticket_id=member_id,
                                    cluster_id=cluster_id)
        show_cluster(ctx, cluster_id, problem_id=None)
        return cluster_id
    if len(similar) + 1 < rules.count:
        return None
    members = sorted([*similar, ticket.id])
    # Two reports racing to complete one cluster: the unique anchor (or a member already taken) fails the
    # second, which looks again.
    try:
        with ctx.session.begin_nested():
            cluster_id = ctx.session.execute(insert(RecurringClusterRow).values(
                anchor_ticket_id=members[0], created_at=ctx.now).returning(RecurringClusterRow.id)).scalar_one()
            append_all(ctx.session, RecurringMemberRow, [{"ticket_id": m, "cluster_id": cluster_id} for m in members])
    except IntegrityError as conflict:
        raise _TakenMeanwhile(conflict) from None
    show_cluster(ctx, cluster_id, problem_id=None)
    return cluster_id


class _TakenMeanwhile(Exception):
    """Another transaction stored a cluster with this one's anchor or one of its incidents first."""

    def __init__(self, conflict: IntegrityError) -> None:
        super().__init__(str(conflict))
        self.conflict = conflict


def _recent_unexplained(
    ctx: Ctx, ticket: TicketRow
) -> tuple[dict[int, str], dict[int, tuple[int, int | None]]]:
    """Recent incidents of the ticket's category without a known cause (a problem or an outage): id -> title;
    and of those in a cluster already, id -> (cluster, its problem if one was opened for it)."""
    since = ctx.now - timedelta(hours=ctx.settings.recurring_incidents.window_hours)
    # Plain rows through the connection: no ORM loading, and no flush (intake asks with autoflush off anyway).
    recent = ctx.session.connection().execute(
        RECENT_UNEXPLAINED, {"category": ticket.category, "ticket": ticket.id, "since": since}).all()
    titles, clusters = {}, {}
    for ticket_id, title, cluster_id, problem_id in recent:
        titles[ticket_id] = title.lower()
        if cluster_id is not None:
            clusters[ticket_id] = (cluster_id, problem_id)
    return titles, clusters


def _alike(title: str, candidates: dict[int, str], *, similarity: int) -> list[int]:
    ids = list(candidates)
    close = process.extract(title, [candidates[i] for i in ids], scorer=fuzz.token_set_ratio,
                            score_cutoff=similarity, limit=None)
    return [ids[index] for _title, _score, index in close]


def _chain(start: list[int], candidates: dict[int, str], *, similarity: int) -> list[int]:
    """Similar to the new one, or to one that is: a chain of alike reports is one kind of incident."""
    left = {i: t for i, t in candidates.items() if i not in start}
    found, reached = [candidates[i] for i in start], set(start)
    while found and left:
        for ticket_id in _alike(found.pop(), left, similarity=similarity):
            found.append(left.pop(ticket_id))
            reached.add(ticket_id)
    return sorted(reached)


def members_of(ctx: Ctx, cluster: RecurringClusterRow) -> list[TicketRow]:
    """The cluster's incidents, oldest first."""
    return list(ctx.session.scalars(
        select(TicketRow).join(RecurringMemberRow, RecurringMemberRow.ticket_id == TicketRow.id)
        .where(RecurringMemberRow.cluster_id == cluster.id).order_by(TicketRow.id)))


def _latest_lines(ctx: Ctx, cluster_id: int) -> tuple[list[str], int]:
    """The card's lines for the newest incidents of the cluster and how many it has, read as plain
    columns (a card is redrawn each time an incident joins: light reads however large it grows)."""
    rows = ctx.session.execute(NEWEST_MEMBERS, {"cluster": cluster_id}).all()
    total = ctx.session.scalar(MEMBER_COUNT, {"cluster": cluster_id}) or 0
    lines = [f"{format_key(kind, number)} · {title} ({name})" for number, kind, title, name in reversed(rows)]
    return lines, total


def show_cluster(ctx: Ctx, cluster_id: int, *, problem_id: int | None) -> None:
    """The cluster's card in each triage channel, edited in place as incidents join or a problem opens."""
    card = _cluster_card(ctx, cluster_id, problem_id=problem_id)
    for route in ctx.deps.routes.triage:
        ctx.outbox.send(route, card, card_key=f"recurring:{cluster_id}:{route.platform}:{route.channel}")


def _cluster_card(ctx: Ctx, cluster_id: int, *, problem_id: int | None) -> Card:
    lines, total = _latest_lines(ctx, cluster_id)
    hours = ctx.settings.recurring_incidents.window_hours
    if total > len(lines):
        lines.insert(0, f"\u2026 and {total - len(lines)} earlier")
    title = f"Possible problem: {total} similar incidents within {hours:g} h"
    problem = ctx.session.get(TicketRow, problem_id) if problem_id else None
    if problem is not None:
        return Card(title=title, text="\n".join(lines), footer=f"{problem.key} is the problem behind them.",
                    tone="info")
    # The button names the card, not its incidents: a growing cluster must still fit in any platform's button.
    return Card(title=title, text="\n".join(lines), tone="warning",
                buttons=(Button("Create problem", f"problem cluster {cluster_id}", "primary"),),
                footer="Or link them to a problem that exists: `/desk problem link PRB-N INC-N`.")
